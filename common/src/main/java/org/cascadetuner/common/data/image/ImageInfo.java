package org.cascadetuner.common.data.image;

import java.util.Objects;

/**
 * A file's header facts, read without decoding its pixels.
 *
 * @param format the container
 * @param width displayed width: after the EXIF orientation (a photo stored sideways with orientation 6 reports the
 *     stored height here)
 * @param height displayed height
 * @param orientation the EXIF orientation 1..8 (1 when absent or invalid)
 * @param color how samples are stored (a YCbCr JPEG reports RGB, the model it decodes to)
 * @param alpha whether there is an alpha channel or palette transparency
 * @param bitDepth bits per sample (palette images: bits per index)
 * @param frames pages or animation frames; the decoder uses the first
 */
public record ImageInfo(
    ImageFormat format,
    int width,
    int height,
    int orientation,
    ColorKind color,
    boolean alpha,
    int bitDepth,
    int frames)
    implements ProbeResult {

  public ImageInfo {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(color, "color");
    if (width <= 0 || height <= 0) throw new IllegalArgumentException("size " + width + "x" + height);
    if (orientation < 1 || orientation > 8) throw new IllegalArgumentException("orientation " + orientation);
  }

  public long pixels() {
    return (long) width * height;
  }
}
