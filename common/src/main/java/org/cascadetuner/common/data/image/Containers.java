package org.cascadetuner.common.data.image;

/**
 * Structural checks on the raw bytes of a container, cheap enough to run before any decoding: does the data run
 * to the format's end marker (a cut file is reported as truncated even where a decoder would silently fill the
 * rest with grey, as libjpeg does), and how many frames does it hold. Also strips JPEG ICC segments.
 */
final class Containers {
  private Containers() {}

  /** Why the file is cut short, or null when its structure is complete (or not checked for this format). */
  static String truncation(ImageFormat format, byte[] b) {
    try {
      return switch (format) {
        case JPEG -> jpegTruncation(b);
        case PNG -> pngTruncation(b);
        case GIF -> gifWalk(b).truncation;
        case WEBP -> webpTruncation(b);
        case BMP -> bmpTruncation(b);
        case TIFF -> null; // strips and tiles can lie anywhere; the reader finds a cut file
      };
    } catch (IndexOutOfBoundsException e) {
      return "the data ends inside a header field at byte " + b.length;
    }
  }

  /** Frames (pages, animation frames) that can be counted from the structure; 0 when the reader must count. */
  static int frames(ImageFormat format, byte[] b) {
    try {
      return switch (format) {
        case JPEG, BMP -> 1;
        case PNG -> pngFrames(b);
        case GIF -> Math.max(gifWalk(b).frames, 1);
        case WEBP, TIFF -> 0;
      };
    } catch (IndexOutOfBoundsException e) {
      return 1;
    }
  }

  // ------------------------------------------------------------------ JPEG

  private static String jpegTruncation(byte[] b) {
    int n = b.length;
    int i = 2;
    boolean sawScan = false;
    while (true) {
      while (i < n && (b[i] & 0xFF) != 0xFF) i++; // libjpeg skips stray bytes before a marker ("extraneous bytes")
      while (i < n && (b[i] & 0xFF) == 0xFF) i++; // fill bytes
      if (i >= n) break;
      int m = b[i] & 0xFF;
      i++;
      if (m == 0xD9) return sawScan ? null : "end-of-image marker before any scan";
      if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) continue;
      if (i + 2 > n) break;
      int len = (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
      if (i + len > n) break;
      i += len;
      if (m == 0xDA) {
        sawScan = true;
        // entropy-coded data: a 0xFF is followed by 0x00 (stuffing), a restart marker, or the next marker
        while (i + 1 < n) {
          if ((b[i] & 0xFF) == 0xFF) {
            int next = b[i + 1] & 0xFF;
            if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF) break;
          }
          i++;
        }
        if (i + 1 >= n) break;
      }
    }
    return "no end-of-image marker: the data stops at byte " + n + (sawScan ? " inside the image data" : " in the header");
  }

  /** A copy without APP2 ICC_PROFILE segments (samples are taken as stored, so readers must not colour-convert). */
  static byte[] stripJpegIcc(byte[] b) {
    int n = b.length;
    int i = 2;
    int[] cut = new int[16];
    int cuts = 0;
    while (i + 4 <= n && (b[i] & 0xFF) == 0xFF) {
      int m = b[i + 1] & 0xFF;
      if (m == 0xFF) { i++; continue; }
      if (m == 0xDA || m == 0xD9) break;
      if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }
      int len = (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
      if (i + 2 + len > n || len < 2) break;
      if (m == 0xE2 && len >= 14 && startsWith(b, i + 4, "ICC_PROFILE\0")) {
        if (cuts + 2 > cut.length) cut = java.util.Arrays.copyOf(cut, cut.length * 2);
        cut[cuts++] = i;
        cut[cuts++] = i + 2 + len;
      }
      i += 2 + len;
    }
    if (cuts == 0) return b;
    int removed = 0;
    for (int k = 0; k < cuts; k += 2) removed += cut[k + 1] - cut[k];
    byte[] out = new byte[n - removed];
    int from = 0, to = 0;
    for (int k = 0; k < cuts; k += 2) {
      System.arraycopy(b, from, out, to, cut[k] - from);
      to += cut[k] - from;
      from = cut[k + 1];
    }
    System.arraycopy(b, from, out, to, n - from);
    return out;
  }

  // ------------------------------------------------------------------ PNG

  private static String pngTruncation(byte[] b) {
    int n = b.length;
    int i = 8;
    while (i + 8 <= n) {
      long len = u32be(b, i);
      boolean iend = startsWith(b, i + 4, "IEND");
      long end = i + 12 + len;
      if (end > n) {
        return "chunk " + chunkName(b, i + 4) + " at byte " + i + " needs " + (end - i) + " bytes, " + (n - i)
            + " remain";
      }
      if (iend) return null;
      i = (int) end;
    }
    return "no IEND chunk: the data stops at byte " + n;
  }

  private static int pngFrames(byte[] b) {
    int i = 8;
    while (i + 8 <= b.length) {
      long len = u32be(b, i);
      if (startsWith(b, i + 4, "acTL") && len >= 8) return (int) Math.max(1, Math.min(u32be(b, i + 8), 1 << 30));
      if (startsWith(b, i + 4, "IDAT") || startsWith(b, i + 4, "IEND")) return 1; // acTL must precede IDAT
      i = (int) (i + 12 + len);
    }
    return 1;
  }

  private static String chunkName(byte[] b, int i) {
    if (i + 4 > b.length) return "?";
    return new String(b, i, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  // ------------------------------------------------------------------ GIF

  private record GifWalk(int frames, String truncation) {}

  private static GifWalk gifWalk(byte[] b) {
    int n = b.length;
    if (n < 13) return new GifWalk(0, "the " + n + "-byte file ends inside the screen descriptor");
    int packed = b[10] & 0xFF;
    int i = 13 + ((packed & 0x80) != 0 ? 3 << ((packed & 7) + 1) : 0);
    int frames = 0;
    while (i < n) {
      int kind = b[i] & 0xFF;
      if (kind == 0x3B) return new GifWalk(frames, null); // trailer
      if (kind == 0x21) { // extension: label, then sub-blocks
        i = skipSubBlocks(b, i + 2);
      } else if (kind == 0x2C) { // image: descriptor, optional colour table, LZW size, sub-blocks
        if (i + 10 > n) return new GifWalk(frames, "image descriptor cut at byte " + n);
        int p = b[i + 9] & 0xFF;
        i += 10 + ((p & 0x80) != 0 ? 3 << ((p & 7) + 1) : 0) + 1;
        i = skipSubBlocks(b, i);
        if (i < 0) return new GifWalk(frames, "image data of frame " + (frames + 1) + " cut at byte " + n);
        frames++;
        continue;
      } else {
        // unknown block: decoders stop here; what came before is the image
        return new GifWalk(frames, frames > 0 ? null : "unknown block 0x" + Integer.toHexString(kind) + " at byte " + i);
      }
      if (i < 0) return new GifWalk(frames, "extension block cut at byte " + n);
    }
    // ended cleanly between blocks, only the trailer is missing: every frame is whole
    return new GifWalk(frames, frames > 0 ? null : "no image in the data");
  }

  /** The logical screen: {width, height}. */
  static int[] gifScreen(byte[] b) {
    return new int[] {u16le(b, 6), u16le(b, 8)};
  }

  /**
   * The first frame's rectangle on the screen, {left, top, width, height}, and whether a graphic control
   * extension before it marks a transparent index: {left, top, width, height, transparent ? 1 : 0}; null if
   * the data holds no frame.
   */
  static int[] gifFirstFrame(byte[] b) {
    int packed = b[10] & 0xFF;
    int i = 13 + ((packed & 0x80) != 0 ? 3 << ((packed & 7) + 1) : 0);
    boolean transparent = false;
    while (i < b.length) {
      int kind = b[i] & 0xFF;
      if (kind == 0x2C) {
        return new int[] {u16le(b, i + 1), u16le(b, i + 3), u16le(b, i + 5), u16le(b, i + 7), transparent ? 1 : 0};
      }
      if (kind != 0x21) return null;
      if ((b[i + 1] & 0xFF) == 0xF9 && (b[i + 2] & 0xFF) >= 4) transparent = (b[i + 3] & 1) != 0;
      i = skipSubBlocks(b, i + 2);
      if (i < 0) return null;
    }
    return null;
  }

  /** Index after the terminating zero-length sub-block, or -1 when the data ends first. */
  private static int skipSubBlocks(byte[] b, int i) {
    while (true) {
      if (i >= b.length) return -1;
      int size = b[i] & 0xFF;
      i += 1 + size;
      if (size == 0) return i;
    }
  }

  // ------------------------------------------------------------------ WebP, BMP

  private static String webpTruncation(byte[] b) {
    long riff = u32le(b, 4);
    if (8 + riff > b.length) {
      return "RIFF header announces " + (8 + riff) + " bytes, the file has " + b.length;
    }
    return null;
  }

  private static String bmpTruncation(byte[] b) {
    long pixelsAt = u32le(b, 10);
    if (pixelsAt >= b.length) return "pixel data announced at byte " + pixelsAt + ", the file has " + b.length;
    if (b.length >= 34) {
      long headerSize = u32le(b, 14);
      if (headerSize >= 40) {
        long w = (int) u32le(b, 18), h = Math.abs((int) u32le(b, 22));
        int bpp = (b[28] & 0xFF) | (b[29] & 0xFF) << 8;
        long compression = u32le(b, 30);
        if (compression == 0 && w > 0 && bpp > 0) {
          long need = pixelsAt + ((w * bpp + 31) / 32) * 4 * h;
          if (need > b.length) return "pixel rows need " + need + " bytes, the file has " + b.length;
        }
      }
    }
    return null;
  }

  private static boolean startsWith(byte[] b, int i, String s) {
    if (i + s.length() > b.length) return false;
    for (int k = 0; k < s.length(); k++) if (b[i + k] != (byte) s.charAt(k)) return false;
    return true;
  }

  private static int u16le(byte[] b, int i) {
    return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
  }

  private static long u32be(byte[] b, int i) {
    return (b[i] & 0xFFL) << 24 | (b[i + 1] & 0xFFL) << 16 | (b[i + 2] & 0xFFL) << 8 | (b[i + 3] & 0xFFL);
  }

  private static long u32le(byte[] b, int i) {
    return (b[i + 3] & 0xFFL) << 24 | (b[i + 2] & 0xFFL) << 16 | (b[i + 1] & 0xFFL) << 8 | (b[i] & 0xFFL);
  }
}
