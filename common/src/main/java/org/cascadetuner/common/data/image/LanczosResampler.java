package org.cascadetuner.common.data.image;

/**
 * Pillow's {@code Image.resize(size, Image.LANCZOS)} on 8-bit RGB, to the bit: a horizontal pass into an 8-bit
 * intermediate image, then a vertical pass, each output value
 * clip8((2²¹ + Σ pixel·weight) >> 22) with the fixed-point weights of {@link LanczosKernel}; a pass whose size
 * does not change is skipped, as Pillow skips it.
 *
 * <p>{@link #resizeAndCrop} computes only the pixels inside the crop. Every output pixel of Pillow's resize depends
 * only on its own row of the intermediate image and its own column of weights, so the cropped result is
 * identical to resizing the whole image and cropping it afterwards, for a fraction of the work.
 *
 * <p>The vertical pass runs over whole rows (3·width ints at a time), a loop the JIT turns into SIMD
 * multiply-adds; the horizontal pass keeps three accumulators per pixel. Scratch buffers are kept between calls:
 * one resampler per thread.
 */
public final class LanczosResampler {
  private static final int HALF = 1 << (LanczosKernel.PRECISION_BITS - 1);
  private static final int SHIFT = LanczosKernel.PRECISION_BITS;

  private int[] rows = new int[0]; // intermediate image, one int per sample (0..255)
  private int[] acc = new int[0]; // one output row of sums

  /** The whole image resized to width × height. */
  public RgbImage resize(RgbImage in, int width, int height) {
    return resizeAndCrop(in, width, height, 0, 0, width, height);
  }

  /**
   * Equals {@code resize(in, resizedWidth, resizedHeight).crop(cropLeft, cropTop, cropWidth, cropHeight)}.
   * The argument order follows the geometry contract: resize-before-crop size, then crop (top, left), then the
   * crop's size.
   */
  public RgbImage resizeAndCrop(RgbImage in, int resizedWidth, int resizedHeight, int cropTop, int cropLeft,
      int cropWidth, int cropHeight) {
    if (resizedWidth <= 0 || resizedHeight <= 0) {
      throw new IllegalArgumentException("resize " + in.width() + "x" + in.height() + " to " + resizedWidth + "x"
          + resizedHeight + ": sizes must be positive");
    }
    if (cropTop < 0 || cropLeft < 0 || cropWidth <= 0 || cropHeight <= 0 || cropLeft + cropWidth > resizedWidth
        || cropTop + cropHeight > resizedHeight) {
      throw new IllegalArgumentException("crop " + cropWidth + "x" + cropHeight + " at (top " + cropTop + ", left "
          + cropLeft + ") does not fit the resized " + resizedWidth + "x" + resizedHeight + " image");
    }
    boolean horizontal = resizedWidth != in.width();
    boolean vertical = resizedHeight != in.height();
    if (!horizontal && !vertical) return in.crop(cropLeft, cropTop, cropWidth, cropHeight);

    LanczosKernel ky = vertical ? LanczosKernel.of(in.height(), resizedHeight) : null;
    // input rows the kept output rows read (all of them for a pure horizontal resize)
    int firstRow = vertical ? ky.start[cropTop] : cropTop;
    int lastRow = vertical ? ky.start[cropTop + cropHeight - 1] + ky.count[cropTop + cropHeight - 1]
        : cropTop + cropHeight;
    int rowCount = lastRow - firstRow;
    int rowLength = 3 * cropWidth;
    int[] tmp = scratchRows(rowCount * rowLength);
    if (horizontal) {
      horizontalPass(in, LanczosKernel.of(in.width(), resizedWidth), cropLeft, cropWidth, firstRow, rowCount, tmp);
    } else {
      copyRows(in, cropLeft, cropWidth, firstRow, rowCount, tmp);
    }
    byte[] out = new byte[rowLength * cropHeight];
    if (vertical) {
      verticalPass(tmp, rowLength, ky, cropTop, cropHeight, firstRow, out);
    } else {
      for (int i = 0; i < out.length; i++) out[i] = (byte) tmp[i];
    }
    return new RgbImage(cropWidth, cropHeight, out);
  }

  /** Rows [firstRow, firstRow + rowCount) of the input, output columns [left, left + width), into tmp. */
  private static void horizontalPass(RgbImage in, LanczosKernel kx, int left, int width, int firstRow, int rowCount,
      int[] tmp) {
    byte[] src = in.rgb();
    int inRow = 3 * in.width();
    int[] starts = kx.start, counts = kx.count, weights = kx.weight;
    int stride = kx.stride;
    for (int y = 0; y < rowCount; y++) {
      int rowBase = (firstRow + y) * inRow;
      int o = y * 3 * width;
      for (int xx = left; xx < left + width; xx++) {
        int p = rowBase + 3 * starts[xx];
        int n = counts[xx];
        int k0 = xx * stride;
        int r = HALF, g = HALF, b = HALF;
        for (int j = 0; j < n; j++, p += 3) {
          int k = weights[k0 + j];
          r += (src[p] & 0xFF) * k;
          g += (src[p + 1] & 0xFF) * k;
          b += (src[p + 2] & 0xFF) * k;
        }
        tmp[o] = clip8(r);
        tmp[o + 1] = clip8(g);
        tmp[o + 2] = clip8(b);
        o += 3;
      }
    }
  }

  private static void copyRows(RgbImage in, int left, int width, int firstRow, int rowCount, int[] tmp) {
    byte[] src = in.rgb();
    int inRow = 3 * in.width();
    for (int y = 0, o = 0; y < rowCount; y++) {
      int p = (firstRow + y) * inRow + 3 * left;
      for (int i = 0; i < 3 * width; i++) tmp[o++] = src[p + i] & 0xFF;
    }
  }

  /** Output rows [top, top + height) from the intermediate rows starting at input row firstRow. */
  private void verticalPass(int[] tmp, int rowLength, LanczosKernel ky, int top, int height, int firstRow,
      byte[] out) {
    int[] sums = scratchAcc(rowLength);
    int[] starts = ky.start, counts = ky.count, weights = ky.weight;
    int stride = ky.stride;
    for (int yy = top; yy < top + height; yy++) {
      java.util.Arrays.fill(sums, 0, rowLength, HALF);
      int n = counts[yy];
      int base = (starts[yy] - firstRow) * rowLength;
      for (int j = 0; j < n; j++) {
        int k = weights[yy * stride + j];
        int off = base + j * rowLength;
        for (int i = 0; i < rowLength; i++) sums[i] += tmp[off + i] * k;
      }
      int o = (yy - top) * rowLength;
      for (int i = 0; i < rowLength; i++) out[o + i] = (byte) clip8(sums[i]);
    }
  }

  /** Pillow's clip8: the sum shifted down by 22 bits, clamped to 0..255. */
  private static int clip8(int sum) {
    int v = sum >> SHIFT;
    return v < 0 ? 0 : Math.min(v, 255);
  }

  private int[] scratchRows(int n) {
    if (rows.length < n) rows = new int[n];
    return rows;
  }

  private int[] scratchAcc(int n) {
    if (acc.length < n) acc = new int[n];
    return acc;
  }
}
