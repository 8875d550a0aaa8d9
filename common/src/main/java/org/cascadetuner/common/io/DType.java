package org.cascadetuner.common.io;

/** Element types of a safetensors file (the subset the product reads and writes), by their header names. */
public enum DType {
  F32(4), F16(2), BF16(2), I64(8), I32(4), U8(1), BOOL(1);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  public boolean isFloating() {
    return this == F32 || this == F16 || this == BF16;
  }

  public static DType parse(String header, String where) {
    try {
      return valueOf(header);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": dtype '" + header + "' is not supported; allowed: F32, F16, BF16,"
          + " I64, I32, U8, BOOL");
    }
  }
}
