package org.cascadetuner.common.data.image;

/**
 * Why a file cannot be used as a training image. The code is what manifests record; none of these is retried
 * (a storage failure is not a reject: it surfaces as an {@link java.io.UncheckedIOException}).
 */
public enum RejectReason {
  /** The file is empty. */
  ZERO_BYTES("zero_bytes"),
  /** No known image signature (JPEG, PNG, WebP, BMP, TIFF, GIF) at the start of the file. */
  NOT_AN_IMAGE("not_an_image"),
  /** The data ends before the image does (a cut download or copy). */
  TRUNCATED("truncated"),
  /** A known format whose header or pixel data is broken. */
  UNDECODABLE("undecodable"),
  /** The header announces more pixels than the configured limit (a decompression bomb or a huge scan). */
  TOO_MANY_PIXELS("too_many_pixels"),
  /** Samples this pipeline cannot turn into 8-bit RGB without guessing (float or 32-bit samples, Lab, ...). */
  UNSUPPORTED_COLOR_MODEL("unsupported_color_model");

  private final String code;

  RejectReason(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
