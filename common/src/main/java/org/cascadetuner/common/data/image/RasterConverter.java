package org.cascadetuner.common.data.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;

/**
 * Turns whatever an ImageIO reader returned into 8-bit interleaved RGB, with the product's policy:
 * <ul>
 *   <li>samples are taken as stored; ICC profiles and gamma chunks are not applied (as Pillow's
 *       {@code convert("RGB")}, which is what the reference pipelines train on);
 *   <li>grey is replicated into R, G and B;
 *   <li>alpha is composited over {@link #BACKGROUND} (white): out = round((c·a + 255·(255 − a)) / 255). Pillow's
 *       {@code convert("RGB")} drops alpha instead, exposing whatever colour the encoder left under transparent
 *       pixels (often black, often garbage); white is what a viewer shows for a transparent logo or cut-out, and
 *       what such images are drawn to be seen on;
 *   <li>samples of other widths (1 to 16 bits) are scaled and rounded: round(v · 255 / (2^bits − 1)) (Pillow
 *       truncates 16-bit PNGs to their high byte, and 5- and 6-bit BMP fields by integer division);
 *   <li>CMYK uses Pillow's conversion: r = (255 − k) − round(c · (255 − k) / 255), likewise g from m, b from y.
 * </ul>
 */
final class RasterConverter {
  private RasterConverter() {}

  /** White: the background transparent pixels are composited onto. */
  static final int BACKGROUND = 255;

  /** Thrown for samples this pipeline does not convert; the decoder turns it into a rejection. */
  static final class Unsupported extends Exception {
    Unsupported(String message) {
      super(message);
    }
  }

  static byte[] toRgb(BufferedImage image) throws Unsupported {
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    if (cm instanceof IndexColorModel icm) return fromIndexed(icm, raster);
    if (cm instanceof DirectColorModel dcm) return fromPacked(dcm, raster);
    if (cm instanceof ComponentColorModel ccm) return fromComponents(ccm, raster);
    throw new Unsupported("colour model " + cm.getClass().getSimpleName());
  }

  // ---------------------------------------------------------------- palette

  private static byte[] fromIndexed(IndexColorModel cm, Raster r) {
    int size = cm.getMapSize();
    byte[] lut = new byte[size * 3];
    for (int i = 0; i < size; i++) {
      int a = cm.getAlpha(i);
      lut[3 * i] = (byte) over(cm.getRed(i), a);
      lut[3 * i + 1] = (byte) over(cm.getGreen(i), a);
      lut[3 * i + 2] = (byte) over(cm.getBlue(i), a);
    }
    int w = r.getWidth(), h = r.getHeight();
    byte[] out = new byte[3 * w * h];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      r.getSamples(r.getMinX(), r.getMinY() + y, w, 1, 0, row);
      int o = 3 * w * y;
      for (int x = 0; x < w; x++, o += 3) {
        int i = Math.min(row[x], size - 1) * 3; // an index past the palette reads as its last entry
        out[o] = lut[i];
        out[o + 1] = lut[i + 1];
        out[o + 2] = lut[i + 2];
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- packed pixels (BMP 16/32-bit bit fields)

  private static byte[] fromPacked(DirectColorModel cm, Raster r) throws Unsupported {
    if (cm.getColorSpace().getType() != ColorSpace.TYPE_RGB) {
      throw new Unsupported("packed pixels in " + colourSpaceName(cm.getColorSpace().getType()));
    }
    if (cm.isAlphaPremultiplied()) throw new Unsupported("premultiplied packed pixels");
    // the sample model unpacks each bit field as a band (R, G, B, then A): v in [0, 2^bits - 1]
    int bands = r.getNumBands();
    long[] max = new long[bands];
    for (int b = 0; b < bands; b++) max[b] = (1L << r.getSampleModel().getSampleSize(b)) - 1;
    boolean alpha = cm.hasAlpha() && bands == 4;
    int w = r.getWidth(), h = r.getHeight();
    byte[] out = new byte[3 * w * h];
    int[] row = new int[w * bands];
    for (int y = 0, o = 0; y < h; y++) {
      r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
      for (int x = 0, s = 0; x < w; x++, s += bands, o += 3) {
        int a = alpha ? to8(row[s + 3], max[3]) : 255;
        out[o] = (byte) over(to8(row[s], max[0]), a);
        out[o + 1] = (byte) over(to8(row[s + 1], max[1]), a);
        out[o + 2] = (byte) over(to8(row[s + 2], max[2]), a);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- one sample per component

  private static byte[] fromComponents(ComponentColorModel cm, Raster r) throws Unsupported {
    int type = cm.getColorSpace().getType();
    int colors = cm.getNumColorComponents();
    boolean alpha = cm.hasAlpha();
    int transfer = r.getTransferType();
    if (transfer != DataBuffer.TYPE_BYTE && transfer != DataBuffer.TYPE_USHORT) {
      throw new Unsupported(sampleName(transfer) + " samples");
    }
    boolean known = (type == ColorSpace.TYPE_RGB && colors == 3) || (type == ColorSpace.TYPE_GRAY && colors == 1)
        || (type == ColorSpace.TYPE_CMYK && colors == 4);
    if (!known) throw new Unsupported(colourSpaceName(type) + " with " + colors + " colour components");
    int bands = r.getNumBands();
    int bits = 0;
    for (int b = 0; b < cm.getNumComponents(); b++) bits = Math.max(bits, cm.getComponentSize(b));
    if (bands != cm.getNumComponents()) throw new Unsupported(bands + " bands for " + cm.getNumComponents() + " components");

    int w = r.getWidth(), h = r.getHeight();
    if (bits == 8 && !alpha && type == ColorSpace.TYPE_RGB) {
      byte[] fast = interleavedRgb(r);
      if (fast != null) return fast;
    }
    byte[] out = new byte[3 * w * h];
    int[] row = new int[w * bands];
    long max = (1L << bits) - 1;
    boolean premultiplied = cm.isAlphaPremultiplied();
    for (int y = 0; y < h; y++) {
      r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
      int o = 3 * w * y;
      for (int x = 0, s = 0; x < w; x++, s += bands, o += 3) {
        if (type == ColorSpace.TYPE_CMYK) { // converted at 8 bits, as Pillow does
          int nk = 255 - to8(row[s + 3], max);
          int a = alpha ? to8(row[s + colors], max) : 255;
          out[o] = (byte) over(cmykChannel(to8(row[s], max), nk), a);
          out[o + 1] = (byte) over(cmykChannel(to8(row[s + 1], max), nk), a);
          out[o + 2] = (byte) over(cmykChannel(to8(row[s + 2], max), nk), a);
          continue;
        }
        int c0 = row[s], c1, c2;
        if (type == ColorSpace.TYPE_GRAY) {
          c1 = c2 = c0;
        } else {
          c1 = row[s + 1];
          c2 = row[s + 2];
        }
        if (alpha) {
          long a = row[s + colors];
          out[o] = (byte) overWide(c0, a, max, premultiplied);
          out[o + 1] = (byte) overWide(c1, a, max, premultiplied);
          out[o + 2] = (byte) overWide(c2, a, max, premultiplied);
        } else {
          out[o] = (byte) to8(c0, max);
          out[o + 1] = (byte) to8(c1, max);
          out[o + 2] = (byte) to8(c2, max);
        }
      }
    }
    return out;
  }

  /** Byte-interleaved RGB in any band order, read straight from the data array; null if the layout differs. */
  private static byte[] interleavedRgb(Raster r) {
    SampleModel sm = r.getSampleModel();
    if (!(sm instanceof ComponentSampleModel csm) || !(r.getDataBuffer() instanceof DataBufferByte db)
        || db.getNumBanks() != 1 || csm.getNumBands() != 3) return null;
    int[] banks = csm.getBankIndices();
    if (banks[0] != 0 || banks[1] != 0 || banks[2] != 0) return null;
    int w = r.getWidth(), h = r.getHeight();
    int ps = csm.getPixelStride(), ss = csm.getScanlineStride();
    int[] off = csm.getBandOffsets();
    int base = db.getOffset() + (r.getMinY() - r.getSampleModelTranslateY()) * ss
        + (r.getMinX() - r.getSampleModelTranslateX()) * ps;
    byte[] d = db.getData();
    if (ps == 3 && off[0] == 0 && off[1] == 1 && off[2] == 2 && ss == 3 * w && base == 0 && d.length == 3 * w * h) {
      return d; // already our layout: use it as is
    }
    byte[] out = new byte[3 * w * h];
    int r0 = off[0], g0 = off[1], b0 = off[2];
    for (int y = 0, o = 0; y < h; y++) {
      int p = base + y * ss;
      for (int x = 0; x < w; x++, p += ps, o += 3) {
        out[o] = d[p + r0];
        out[o + 1] = d[p + g0];
        out[o + 2] = d[p + b0];
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- arithmetic

  /** 8-bit colour c with 8-bit alpha a over the background, rounded to nearest (255 is odd: no ties). */
  static int over(int c, int a) {
    if (a == 255) return c;
    return (c * a + BACKGROUND * (255 - a) + 127) / 255;
  }

  /**
   * A colour c and alpha a, both in [0, max], over the white background, rounded once to 8 bits:
   * straight alpha out/255 = (c/max)(a/max) + (1 − a/max); premultiplied out/255 = c/max + (1 − a/max).
   */
  private static int overWide(long c, long a, long max, boolean premultiplied) {
    long num = premultiplied ? 255 * (c * max + max * (max - a)) : 255 * (c * a + max * (max - a));
    long den = max * max;
    return (int) Math.min((num + den / 2) / den, 255);
  }

  /** round(v · 255 / max) for a sample in [0, max]. */
  static int to8(long v, long max) {
    if (max == 255) return (int) v;
    return (int) ((v * 255 + max / 2) / max);
  }

  /** Pillow's cmyk2rgb channel: nk − MULDIV255(c, nk), with MULDIV255(a, b) = ((t >> 8) + t) >> 8, t = a·b + 128. */
  static int cmykChannel(int c, int nk) {
    int t = c * nk + 128;
    int v = nk - (((t >> 8) + t) >> 8);
    return Math.max(0, Math.min(255, v));
  }

  private static String sampleName(int transfer) {
    return switch (transfer) {
      case DataBuffer.TYPE_FLOAT -> "32-bit float";
      case DataBuffer.TYPE_DOUBLE -> "64-bit float";
      case DataBuffer.TYPE_INT -> "32-bit integer";
      case DataBuffer.TYPE_SHORT -> "signed 16-bit";
      default -> "type-" + transfer;
    };
  }

  private static String colourSpaceName(int type) {
    return switch (type) {
      case ColorSpace.TYPE_Lab -> "CIE Lab";
      case ColorSpace.TYPE_YCbCr -> "YCbCr";
      case ColorSpace.TYPE_XYZ -> "CIE XYZ";
      case ColorSpace.TYPE_RGB -> "RGB";
      case ColorSpace.TYPE_GRAY -> "grey";
      case ColorSpace.TYPE_CMYK -> "CMYK";
      case ColorSpace.TYPE_CMY -> "CMY";
      default -> "colour space type " + type;
    };
  }
}
