package org.cascadetuner.common.data.image;

import java.util.Objects;

/**
 * The per-image work of the latent cache, bytes to encoder input: decode (EXIF-oriented 8-bit RGB), resize to the
 * geometry's resize-before-crop size and crop (only the crop is computed), scale by the effnet factor, normalise.
 * A Spark partition makes one loader and feeds it its images; not thread-safe (it owns a decoder and a resampler
 * with their buffers).
 */
public final class TrainingImageLoader implements AutoCloseable {
  private final ImageDecoder decoder;
  private final LanczosResampler resampler = new LanczosResampler();
  private final EffnetPreprocess effnet;

  public TrainingImageLoader(ImageLimits limits, double effnetScale) {
    this.decoder = new ImageDecoder(limits);
    this.effnet = new EffnetPreprocess(effnetScale, resampler);
  }

  /** The decoded, resized and cropped image: the pixels the latent is computed from, before the effnet scale. */
  public DecodeResult crop(String name, byte[] bytes, CropSpec spec) {
    DecodeResult decoded = decoder.decode(name, bytes);
    if (!(decoded instanceof RgbImage image)) return decoded;
    return resampler.resizeAndCrop(image, spec.resizeWidth(), spec.resizeHeight(), spec.cropTop(), spec.cropLeft(),
        spec.cropWidth(), spec.cropHeight());
  }

  /** The encoder input for one file, or why the file is unusable. */
  public EffnetResult load(String name, byte[] bytes, CropSpec spec) {
    Objects.requireNonNull(spec, "spec");
    DecodeResult cropped = crop(name, bytes, spec);
    if (cropped instanceof Rejection r) return r;
    return effnet.input((RgbImage) cropped);
  }

  @Override
  public void close() {
    decoder.close();
  }
}
