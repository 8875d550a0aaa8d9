package org.cascadetuner.common.data.image;

/**
 * Pillow's {@code Image.resize(size, Image.LANCZOS)} on 8-bit RGB, to the bit: a horizontal pass into an 8-bit
 * intermediate image, then a vertical pass; each output sample is clip8((2²¹ + Σ sample·weight) >> 22) with the
 * fixed-point weights of {@link LanczosKernel}. A pass whose size does not change is skipped, as Pillow skips it.
 *
 * <p>{@link #resizeAndCrop} computes only the pixels inside the crop. Every output pixel of Pillow's resize depends
 * only on its own row of the intermediate image and its own column of weights, so the cropped result is
 * identical to resizing the whole image and cropping afterwards, for a fraction of the work.
 *
 * <p>Speed: both passes are written as "row += weight × row" over whole int arrays, the loop shape the JIT (C2 on
 * Java 17) turns into SIMD multiply-adds; it does so only when every array in the loop is indexed by the loop
 * counter itself (not counter + offset), hence arrays of rows rather than one flat buffer. The vertical pass is that shape already. The horizontal pass gathers a different
 * window for every output pixel, so it works on strips of {@value #STRIP} rows transposed into one array per input
 * column: an output column is then a weighted sum of whole input-column arrays, and is scattered back into the
 * rows the vertical pass reads. Integer sums are exact in any order, so none of this changes a single value.
 *
 * <p>Scratch buffers are kept between calls: one resampler per thread.
 */
public final class LanczosResampler {
  private static final int SHIFT = LanczosKernel.PRECISION_BITS;
  private static final int HALF = 1 << (SHIFT - 1);
  /** Rows per transposed strip of the horizontal pass (32 to 256 measured alike). */
  static final int STRIP = 64;

  private int[][] rows = new int[0][]; // the intermediate image, one int array per row, 0..255 per sample
  private int[][] columns = new int[0][]; // one strip, transposed: columns[x][3 * r + c]
  private final int[] column = new int[3 * STRIP];
  private int[] sums = new int[0];
  private byte[] line = new byte[0];

  /** The whole image resized to width × height. */
  public RgbImage resize(RgbImage in, int width, int height) {
    return resizeAndCrop(in, width, height, 0, 0, width, height);
  }

  /**
   * Equals {@code resize(in, resizedWidth, resizedHeight).crop(cropLeft, cropTop, cropWidth, cropHeight)}. The
   * arguments follow the geometry's order: the resize-before-crop size, the crop's (top, left), the crop's size.
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
    // the input rows that the kept output rows read
    int firstRow = vertical ? ky.start[cropTop] : cropTop;
    int lastRow = vertical ? ky.start[cropTop + cropHeight - 1] + ky.count[cropTop + cropHeight - 1]
        : cropTop + cropHeight;
    int rowCount = lastRow - firstRow;
    int rowLength = 3 * cropWidth;
    int[][] tmp = rowScratch(rowCount, rowLength);
    if (horizontal) {
      horizontalPass(in, LanczosKernel.of(in.width(), resizedWidth), cropLeft, cropWidth, firstRow, rowCount, tmp);
    } else {
      copyRows(in, cropLeft, cropWidth, firstRow, rowCount, tmp);
    }
    byte[] out = new byte[rowLength * cropHeight];
    if (vertical) {
      verticalPass(tmp, rowLength, ky, cropTop, cropHeight, firstRow, out);
    } else {
      for (int y = 0; y < cropHeight; y++) {
        int[] row = tmp[y];
        int o = y * rowLength;
        for (int i = 0; i < rowLength; i++) out[o + i] = (byte) row[i];
      }
    }
    return new RgbImage(cropWidth, cropHeight, out);
  }

  /** Intermediate rows 0..rowCount (input rows firstRow..) for output columns [left, left + width). */
  private void horizontalPass(RgbImage in, LanczosKernel kx, int left, int width, int firstRow, int rowCount,
      int[][] tmp) {
    int[] starts = kx.start, counts = kx.count, weights = kx.weight;
    int stride = kx.stride;
    int x0 = starts[left]; // the input columns the kept output columns read: [x0, x1)
    int x1 = starts[left + width - 1] + counts[left + width - 1];
    int[][] cols = columnScratch(x1 - x0);
    int[] acc = column;
    for (int r0 = 0; r0 < rowCount; r0 += STRIP) {
      int strip = Math.min(STRIP, rowCount - r0);
      transposeStrip(in, firstRow + r0, strip, x0, x1, cols);
      int len = 3 * strip;
      for (int xx = left; xx < left + width; xx++) {
        int s = starts[xx] - x0, n = counts[xx], kb = xx * stride;
        int[] c = cols[s];
        int k = weights[kb];
        for (int i = 0; i < len; i++) acc[i] = HALF + c[i] * k;
        for (int j = 1; j < n; j++) {
          c = cols[s + j];
          k = weights[kb + j];
          for (int i = 0; i < len; i++) acc[i] += c[i] * k;
        }
        clip8(acc, len);
        int o = 3 * (xx - left);
        for (int r = 0, i = 0; r < strip; r++, i += 3) {
          int[] row = tmp[r0 + r];
          row[o] = acc[i];
          row[o + 1] = acc[i + 1];
          row[o + 2] = acc[i + 2];
        }
      }
    }
  }

  /** cols[x - x0][3r + c] = sample c of input pixel (x, row + r), for r < strip. */
  private static void transposeStrip(RgbImage in, int row, int strip, int x0, int x1, int[][] cols) {
    byte[] src = in.rgb();
    int inRow = 3 * in.width();
    int base = row * inRow + 3 * x0;
    for (int x = 0; x < x1 - x0; x++, base += 3) {
      int[] c = cols[x];
      for (int r = 0, p = base; r < strip; r++, p += inRow) {
        c[3 * r] = src[p] & 0xFF;
        c[3 * r + 1] = src[p + 1] & 0xFF;
        c[3 * r + 2] = src[p + 2] & 0xFF;
      }
    }
  }

  private static void copyRows(RgbImage in, int left, int width, int firstRow, int rowCount, int[][] tmp) {
    byte[] src = in.rgb();
    int inRow = 3 * in.width();
    for (int y = 0; y < rowCount; y++) {
      int p = (firstRow + y) * inRow + 3 * left;
      int[] row = tmp[y];
      for (int i = 0; i < 3 * width; i++) row[i] = src[p + i] & 0xFF;
    }
  }

  /** Output rows [top, top + height) from the intermediate rows, which start at input row firstRow. */
  private void verticalPass(int[][] tmp, int rowLength, LanczosKernel ky, int top, int height, int firstRow,
      byte[] out) {
    int[] acc = sumScratch(rowLength);
    byte[] bytes = lineScratch(rowLength);
    int[] starts = ky.start, counts = ky.count, weights = ky.weight;
    int stride = ky.stride;
    for (int yy = top; yy < top + height; yy++) {
      int s = starts[yy] - firstRow, n = counts[yy], kb = yy * stride;
      int[] row = tmp[s];
      int k = weights[kb];
      for (int i = 0; i < rowLength; i++) acc[i] = HALF + row[i] * k;
      for (int j = 1; j < n; j++) {
        row = tmp[s + j];
        k = weights[kb + j];
        for (int i = 0; i < rowLength; i++) acc[i] += row[i] * k;
      }
      clip8(acc, rowLength);
      for (int i = 0; i < rowLength; i++) bytes[i] = (byte) acc[i];
      System.arraycopy(bytes, 0, out, (yy - top) * rowLength, rowLength);
    }
  }

  /**
   * Pillow's clip8 on sums[0..n): the sum shifted down by 22 bits, clamped to 0..255. Written with masks instead
   * of comparisons because that form vectorizes: v &= ~(v >> 31) zeroes a negative v, v |= (255 − v) >> 31 sets
   * every bit of a v above 255, and the low byte is kept.
   */
  private static void clip8(int[] sums, int n) {
    for (int i = 0; i < n; i++) {
      int v = sums[i] >> SHIFT;
      v &= ~(v >> 31);
      v |= (255 - v) >> 31;
      sums[i] = v & 255;
    }
  }

  private int[][] rowScratch(int count, int length) {
    if (rows.length < count || (count > 0 && rows[0].length < length)) {
      int[][] grown = new int[Math.max(count, rows.length)][];
      int len = Math.max(length, rows.length > 0 ? rows[0].length : 0);
      for (int i = 0; i < grown.length; i++) grown[i] = new int[len];
      rows = grown;
    }
    return rows;
  }

  private int[][] columnScratch(int count) {
    if (columns.length < count) {
      int[][] grown = java.util.Arrays.copyOf(columns, count);
      for (int i = columns.length; i < count; i++) grown[i] = new int[3 * STRIP];
      columns = grown;
    }
    return columns;
  }

  private int[] sumScratch(int n) {
    if (sums.length < n) sums = new int[n];
    return sums;
  }

  private byte[] lineScratch(int n) {
    if (line.length < n) line = new byte[n];
    return line;
  }
}
