package org.cascadetuner.common.data.image;

import java.util.Objects;

/**
 * Decoded pixels: 8-bit RGB, interleaved, row-major, no padding ({@code rgb[(y * width + x) * 3 + c]}). One flat
 * array because every stage after decoding (resize, crop, normalise) walks rows; the vertical resize pass treats
 * a row as one run of {@code 3 * width} bytes.
 */
public record RgbImage(int width, int height, byte[] rgb) implements DecodeResult {

  public RgbImage {
    Objects.requireNonNull(rgb, "rgb");
    if (width <= 0 || height <= 0) throw new IllegalArgumentException("size " + width + "x" + height);
    if (rgb.length != 3L * width * height) {
      throw new IllegalArgumentException(
          "rgb holds " + rgb.length + " bytes, " + width + "x" + height + " needs " + 3L * width * height);
    }
  }

  /** The channel value 0..255 at (x, y). */
  public int get(int x, int y, int channel) {
    return rgb[(y * width + x) * 3 + channel] & 0xFF;
  }

  /** A copy of the rectangle at (left, top). */
  public RgbImage crop(int left, int top, int cropWidth, int cropHeight) {
    if (left < 0 || top < 0 || cropWidth <= 0 || cropHeight <= 0 || left + cropWidth > width
        || top + cropHeight > height) {
      throw new IllegalArgumentException(
          "crop " + cropWidth + "x" + cropHeight + " at (left " + left + ", top " + top + ") leaves the "
              + width + "x" + height + " image");
    }
    byte[] out = new byte[3 * cropWidth * cropHeight];
    for (int y = 0; y < cropHeight; y++) {
      System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * cropWidth * 3, cropWidth * 3);
    }
    return new RgbImage(cropWidth, cropHeight, out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgbImage r && r.width == width && r.height == height
        && java.util.Arrays.equals(r.rgb, rgb);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * width + height) + java.util.Arrays.hashCode(rgb);
  }

  @Override
  public String toString() {
    return "RgbImage[" + width + "x" + height + "]";
  }
}
