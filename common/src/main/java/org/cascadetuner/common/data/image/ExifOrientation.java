package org.cascadetuner.common.data.image;

/**
 * The EXIF orientation tag (0x0112) and the pixel transform that undoes it, as Pillow's
 * {@code ImageOps.exif_transpose}: 2 mirror, 3 rotate 180°, 4 flip, 5 transpose, 6 rotate 90° clockwise,
 * 7 transverse, 8 rotate 90° counter-clockwise. Read from the bytes directly (JPEG APP1, PNG eXIf, WebP EXIF
 * chunk, a TIFF's first IFD), so probing needs no image reader; anything malformed reads as 1 (no transform),
 * which is also what Pillow does with a value outside 1..8.
 */
public final class ExifOrientation {
  private ExifOrientation() {}

  private static final int TAG_ORIENTATION = 0x0112;

  /** The orientation 1..8 recorded in the file, 1 when there is none. */
  public static int read(ImageFormat format, byte[] b) {
    try {
      int o = switch (format) {
        case JPEG -> fromJpeg(b);
        case PNG -> fromPng(b);
        case WEBP -> fromWebp(b);
        case TIFF -> fromTiff(b, 0, b.length);
        case BMP, GIF -> 1;
      };
      return o >= 1 && o <= 8 ? o : 1;
    } catch (IndexOutOfBoundsException e) {
      return 1; // a cut or malformed EXIF block: no transform
    }
  }

  /** Whether the orientation swaps width and height. */
  public static boolean swapsSides(int orientation) {
    return orientation >= 5;
  }

  /** The displayed image for pixels stored with {@code orientation}. */
  public static RgbImage apply(RgbImage in, int orientation) {
    if (orientation == 1) return in;
    int w = in.width(), h = in.height();
    // source pixel of destination (x, y) = start + x * stepX + y * stepY (in pixels)
    int start, stepX, stepY;
    switch (orientation) {
      case 2 -> { start = w - 1; stepX = -1; stepY = w; }
      case 3 -> { start = (h - 1) * w + w - 1; stepX = -1; stepY = -w; }
      case 4 -> { start = (h - 1) * w; stepX = 1; stepY = -w; }
      case 5 -> { start = 0; stepX = w; stepY = 1; }
      case 6 -> { start = (h - 1) * w; stepX = -w; stepY = 1; }
      case 7 -> { start = (h - 1) * w + w - 1; stepX = -w; stepY = -1; }
      case 8 -> { start = w - 1; stepX = w; stepY = -1; }
      default -> throw new IllegalArgumentException("EXIF orientation " + orientation + " is not 1..8");
    }
    boolean swap = swapsSides(orientation);
    int ow = swap ? h : w, oh = swap ? w : h;
    byte[] src = in.rgb();
    byte[] dst = new byte[src.length];
    if (orientation == 4) { // rows in reverse order: whole-row copies
      for (int y = 0; y < oh; y++) System.arraycopy(src, (h - 1 - y) * 3 * w, dst, y * 3 * w, 3 * w);
      return new RgbImage(ow, oh, dst);
    }
    int d = 0;
    for (int y = 0; y < oh; y++) {
      int s = (start + y * stepY) * 3;
      int sx = stepX * 3;
      for (int x = 0; x < ow; x++, s += sx) {
        dst[d++] = src[s];
        dst[d++] = src[s + 1];
        dst[d++] = src[s + 2];
      }
    }
    return new RgbImage(ow, oh, dst);
  }

  private static int fromJpeg(byte[] b) {
    int i = 2;
    while (i + 4 <= b.length) {
      if ((b[i] & 0xFF) != 0xFF) return 1;
      int marker = b[i + 1] & 0xFF;
      if (marker == 0xFF) { i++; continue; } // fill byte
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { i += 2; continue; }
      if (marker == 0xDA || marker == 0xD9) return 1; // EXIF comes before the scan
      int len = u16(b, i + 2, false);
      if (len < 2) return 1;
      int p = i + 4;
      if (marker == 0xE1 && len >= 8 && b[p] == 'E' && b[p + 1] == 'x' && b[p + 2] == 'i' && b[p + 3] == 'f'
          && b[p + 4] == 0 && b[p + 5] == 0) {
        return fromTiff(b, p + 6, Math.min(b.length, i + 2 + len));
      }
      i += 2 + len;
    }
    return 1;
  }

  private static int fromPng(byte[] b) {
    int i = 8;
    while (i + 12 <= b.length) {
      long len = u32(b, i, false);
      if (len > b.length) return 1;
      int p = i + 8;
      if (b[i + 4] == 'e' && b[i + 5] == 'X' && b[i + 6] == 'I' && b[i + 7] == 'f') {
        return fromTiff(b, skipExifPrefix(b, p), (int) Math.min(b.length, p + len));
      }
      if (b[i + 4] == 'I' && b[i + 5] == 'E' && b[i + 6] == 'N' && b[i + 7] == 'D') return 1;
      i = (int) (p + len + 4);
    }
    return 1;
  }

  private static int fromWebp(byte[] b) {
    int i = 12;
    while (i + 8 <= b.length) {
      long len = u32(b, i + 4, true);
      if (len > b.length) return 1;
      int p = i + 8;
      if (b[i] == 'E' && b[i + 1] == 'X' && b[i + 2] == 'I' && b[i + 3] == 'F') {
        return fromTiff(b, skipExifPrefix(b, p), (int) Math.min(b.length, p + len));
      }
      i = (int) (p + len + (len & 1));
    }
    return 1;
  }

  /** Some writers keep JPEG's "Exif\0\0" in front of the TIFF header of PNG and WebP EXIF blocks. */
  private static int skipExifPrefix(byte[] b, int p) {
    if (p + 6 <= b.length && b[p] == 'E' && b[p + 1] == 'x' && b[p + 2] == 'i' && b[p + 3] == 'f' && b[p + 4] == 0
        && b[p + 5] == 0) return p + 6;
    return p;
  }

  /** Orientation from IFD0 of the TIFF structure at {@code base} (offsets inside it are relative to base). */
  private static int fromTiff(byte[] b, int base, int end) {
    if (base + 8 > end) return 1;
    boolean le;
    if (b[base] == 'I' && b[base + 1] == 'I') le = true;
    else if (b[base] == 'M' && b[base + 1] == 'M') le = false;
    else return 1;
    int magic = u16(b, base + 2, le);
    boolean big = magic == 43;
    if (magic != 42 && !big) return 1;
    long ifd = big ? u64(b, base + 8, le) : u32(b, base + 4, le);
    if (ifd <= 0 || base + ifd >= end) return 1;
    int p = (int) (base + ifd);
    long count = big ? u64(b, p, le) : u16(b, p, le);
    int entry = big ? 20 : 12;
    p += big ? 8 : 2;
    for (long k = 0; k < count && p + entry <= end; k++, p += entry) {
      if (u16(b, p, le) != TAG_ORIENTATION) continue;
      int type = u16(b, p + 2, le);
      int value = big ? p + 12 : p + 8;
      if (type == 3) return u16(b, value, le); // SHORT, the standard type
      if (type == 4) return (int) Math.min(u32(b, value, le), 9); // LONG, seen in the wild
      return 1;
    }
    return 1;
  }

  private static int u16(byte[] b, int i, boolean le) {
    int a = b[i] & 0xFF, c = b[i + 1] & 0xFF;
    return le ? a | c << 8 : a << 8 | c;
  }

  private static long u32(byte[] b, int i, boolean le) {
    long lo = u16(b, le ? i : i + 2, le), hi = u16(b, le ? i + 2 : i, le);
    return hi << 16 | lo;
  }

  private static long u64(byte[] b, int i, boolean le) {
    long lo = u32(b, le ? i : i + 4, le), hi = u32(b, le ? i + 4 : i, le);
    if (hi != 0) return Long.MAX_VALUE; // beyond any byte array
    return lo;
  }
}
