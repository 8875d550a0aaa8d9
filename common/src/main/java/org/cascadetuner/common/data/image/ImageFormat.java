package org.cascadetuner.common.data.image;

/**
 * The containers the decoder reads, recognised by their leading bytes (never by the file name: a PNG called
 * {@code .jpg} is still a PNG).
 */
public enum ImageFormat {
  JPEG("jpeg"),
  PNG("png"),
  WEBP("webp"),
  BMP("bmp"),
  TIFF("tiff"),
  GIF("gif");

  private final String code;

  ImageFormat(String code) {
    this.code = code;
  }

  /** Lower-case name as written to manifests ({@code jpeg}, {@code png}, ...). */
  public String code() {
    return code;
  }

  /** The format whose signature starts {@code bytes}, or null when none does. */
  public static ImageFormat sniff(byte[] b) {
    int n = b.length;
    if (n >= 3 && u(b, 0) == 0xFF && u(b, 1) == 0xD8 && u(b, 2) == 0xFF) return JPEG;
    if (n >= 8 && u(b, 0) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' && u(b, 4) == 0x0D
        && u(b, 5) == 0x0A && u(b, 6) == 0x1A && u(b, 7) == 0x0A) return PNG;
    if (n >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8' && (b[4] == '7' || b[4] == '9')
        && b[5] == 'a') return GIF;
    if (n >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
        && b[10] == 'B' && b[11] == 'P') return WEBP;
    // classic TIFF (42) and BigTIFF (43), either byte order
    if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0)
        || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43)))) return TIFF;
    if (n >= 14 && b[0] == 'B' && b[1] == 'M') return BMP;
    return null;
  }

  private static int u(byte[] b, int i) {
    return b[i] & 0xFF;
  }
}
