package org.cascadetuner.common.data.image;

/**
 * Limits applied from the header, before any pixel memory is allocated.
 *
 * @param maxPixels width × height above which a file is rejected as {@link RejectReason#TOO_MANY_PIXELS}
 */
public record ImageLimits(long maxPixels) {

  /**
   * Pillow's {@code Image.MAX_IMAGE_PIXELS} = {@code int(1024 * 1024 * 1024 // 4 // 3)} (PIL/Image.py): about a
   * quarter gigabyte of RGB. Pillow warns above it and refuses above twice it; we refuse above it.
   */
  public static final long PILLOW_MAX_IMAGE_PIXELS = 1024L * 1024 * 1024 / 4 / 3;

  /** The largest image whose RGB bytes fit one Java array. */
  public static final long ARRAY_LIMIT_PIXELS = (Integer.MAX_VALUE - 8) / 3;

  public static final ImageLimits DEFAULT = new ImageLimits(PILLOW_MAX_IMAGE_PIXELS);

  public ImageLimits {
    if (maxPixels < 1 || maxPixels > ARRAY_LIMIT_PIXELS) {
      throw new IllegalArgumentException(
          "max image pixels " + maxPixels + " must be between 1 and " + ARRAY_LIMIT_PIXELS
              + " (one Java array of RGB bytes)");
    }
  }
}
