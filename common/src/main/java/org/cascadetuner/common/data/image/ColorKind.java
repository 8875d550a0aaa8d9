package org.cascadetuner.common.data.image;

/** How a file stores colour, before conversion to RGB; alpha is reported separately. */
public enum ColorKind {
  GREY("grey"),
  RGB("rgb"),
  PALETTE("palette"),
  CMYK("cmyk"),
  OTHER("other");

  private final String code;

  ColorKind(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
