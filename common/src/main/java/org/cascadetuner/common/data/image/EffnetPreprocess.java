package org.cascadetuner.common.data.image;

/**
 * From a training crop to the EfficientNet's input (spec stage-c-architecture §3.2, data-pipeline §5.2): the crop
 * is scaled by {@code stable_cascade_effnet_scale} (DESIGN decision 2: 0.75 by default, so a 1024² crop becomes
 * 768² and a 24×24 latent, as Stage C was trained; 1.0 reproduces SimpleTuner's 32×32), then made float RGB in
 * [0, 1] and normalised with ImageNet's mean and std.
 *
 * <p>The scaled size is round(scale·w) × round(scale·h), rounding half to even as Python's {@code round}; the scale
 * is a Lanczos resize like the one before the crop (Pillow-exact, see {@link LanczosResampler}). Bucket sides are
 * multiples of 64, so with 0.75 the result is exact (multiples of 48) and divisible by 16; the encoder's stride of
 * 32 then sees e.g. 768 → 24, 864 → 27, 672 → 21.
 *
 * <p>Normalisation is computed as torchvision does it in float32 (ToTensor: v / 255; Normalize: (x − mean) / std,
 * each a correctly rounded float operation), through a 256-entry table per channel.
 */
public final class EffnetPreprocess {
  /** DESIGN decision 2. */
  public static final double DEFAULT_SCALE = 0.75;

  /** torchvision's ImageNet statistics (as float32, the tensors' dtype). */
  static final float[] MEAN = {0.485f, 0.456f, 0.406f};

  static final float[] STD = {0.229f, 0.224f, 0.225f};

  private static final float[][] TABLE = new float[3][256];

  static {
    for (int c = 0; c < 3; c++) {
      for (int v = 0; v < 256; v++) TABLE[c][v] = normalize(v / 255f, c);
    }
  }

  private final double scale;
  private final LanczosResampler resampler;

  /** @param scale {@code stable_cascade_effnet_scale}, in (0, 1] */
  public EffnetPreprocess(double scale, LanczosResampler resampler) {
    if (!(scale > 0 && scale <= 1)) {
      throw new IllegalArgumentException("stable_cascade_effnet_scale = " + scale + ": must be in (0, 1]");
    }
    this.scale = scale;
    this.resampler = java.util.Objects.requireNonNull(resampler, "resampler");
  }

  public double scale() {
    return scale;
  }

  /** round(scale · size), half to even, at least 1. */
  public static int scaledSize(int size, double scale) {
    return Math.max(1, (int) Math.rint(scale * size));
  }

  /** The crop scaled for the encoder (the crop itself when the size does not change). */
  public RgbImage scaled(RgbImage crop) {
    int w = scaledSize(crop.width(), scale), h = scaledSize(crop.height(), scale);
    return resampler.resize(crop, w, h);
  }

  /** Scaled and normalised. */
  public EffnetInput input(RgbImage crop) {
    return normalized(scaled(crop));
  }

  /** Channels-first float32, (v / 255 − mean) / std. */
  public static EffnetInput normalized(RgbImage image) {
    int plane = image.width() * image.height();
    byte[] rgb = image.rgb();
    float[] out = new float[3 * plane];
    float[] r = TABLE[0], g = TABLE[1], b = TABLE[2];
    for (int i = 0, p = 0; i < plane; i++, p += 3) {
      out[i] = r[rgb[p] & 0xFF];
      out[plane + i] = g[rgb[p + 1] & 0xFF];
      out[2 * plane + i] = b[rgb[p + 2] & 0xFF];
    }
    return new EffnetInput(image.height(), image.width(), out);
  }

  /** (x − mean[c]) / std[c] in float32, for a value x already in [0, 1]. */
  public static float normalize(float x, int channel) {
    return (x - MEAN[channel]) / STD[channel];
  }
}
