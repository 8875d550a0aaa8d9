package org.cascadetuner.common.data.image;

import java.awt.image.Raster;

/**
 * Four-component JPEGs (CMYK, YCCK) from their raw samples, converted the way Pillow (over libjpeg) converts them,
 * so the result does not depend on which CMYK ICC profile a machine happens to have (TwelveMonkeys converts through
 * a "generic CMYK" profile where it finds one, and through a fast formula where it does not).
 *
 * <p>libjpeg hands out YCCK as CMYK by converting YCC to RGB and taking C = 255 − R, M = 255 − G, Y = 255 − B.
 * Pillow then reads every CMYK JPEG as Adobe-inverted ("CMYK;I"): true C = 255 − C. Together: CMYK files give
 * 255 − sample; YCCK files give the YCC→RGB result itself as C, M, Y and 255 − sample as K. RGB follows by
 * {@link RasterConverter}'s CMYK rule.
 */
final class JpegCmyk {
  private JpegCmyk() {}

  // libjpeg's jdcolor.c fixed point: SCALEBITS = 16, FIX(x) = (int) (x * 65536 + 0.5)
  private static final int SCALEBITS = 16;
  private static final int ONE_HALF = 1 << (SCALEBITS - 1);
  private static final int[] CR_R = new int[256], CB_B = new int[256], CR_G = new int[256], CB_G = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
      CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + ONE_HALF;
    }
  }

  private static int fix(double x) {
    return (int) (x * (1 << SCALEBITS) + 0.5);
  }

  /** RGB of a 4-band raw raster; {@code ycck} from the Adobe APP14 transform flag. */
  static byte[] toRgb(Raster raw, boolean ycck) {
    int w = raw.getWidth(), h = raw.getHeight();
    byte[] out = new byte[3 * w * h];
    int[] row = new int[4 * w];
    for (int y = 0; y < h; y++) {
      raw.getPixels(raw.getMinX(), raw.getMinY() + y, w, 1, row);
      int o = 3 * w * y;
      for (int x = 0, s = 0; x < w; x++, s += 4, o += 3) {
        int c, m, ye, k;
        if (ycck) {
          int yy = row[s], cb = row[s + 1], cr = row[s + 2];
          c = clamp(yy + CR_R[cr]);
          m = clamp(yy + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
          ye = clamp(yy + CB_B[cb]);
        } else {
          c = 255 - row[s];
          m = 255 - row[s + 1];
          ye = 255 - row[s + 2];
        }
        k = 255 - row[s + 3];
        int nk = 255 - k;
        out[o] = (byte) RasterConverter.cmykChannel(c, nk);
        out[o + 1] = (byte) RasterConverter.cmykChannel(m, nk);
        out[o + 2] = (byte) RasterConverter.cmykChannel(ye, nk);
      }
    }
    return out;
  }

  /** The Adobe APP14 transform flag (0 none/CMYK, 1 YCbCr, 2 YCCK), or -1 when there is no Adobe segment. */
  static int adobeTransform(byte[] b) {
    int i = 2;
    while (i + 4 <= b.length && (b[i] & 0xFF) == 0xFF) {
      int m = b[i + 1] & 0xFF;
      if (m == 0xFF) { i++; continue; }
      if (m == 0xDA || m == 0xD9) return -1;
      if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { i += 2; continue; }
      int len = (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
      if (m == 0xEE && len >= 14 && i + 2 + len <= b.length && b[i + 4] == 'A' && b[i + 5] == 'd'
          && b[i + 6] == 'o' && b[i + 7] == 'b' && b[i + 8] == 'e') {
        return b[i + 4 + 11] & 0xFF;
      }
      if (len < 2) return -1;
      i += 2 + len;
    }
    return -1;
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }
}
