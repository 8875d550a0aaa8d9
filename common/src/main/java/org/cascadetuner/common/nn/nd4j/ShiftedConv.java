package org.cascadetuner.common.nn.nd4j;

import org.cascadetuner.common.nn.Conv2dSpec;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Dense and depthwise convolutions without libnd4j's im2col. With each channel's plane flattened to one row of H·W
 * values, kernel tap (i, j) of a stride-1 convolution reads the input shifted by a constant offset: a dense convolution becomes one
 * GEMM per tap, {@code out[:, p] += W_ij · x[:, p + off]}, on views of input and output (libnd4j's matmul takes
 * matrices with strided rows as they are, so nothing is copied); a depthwise convolution one per-channel multiply and
 * one add per tap.
 *
 * <ul>
 *   <li>"Same" geometry (odd kernel, padding (k − 1) / 2): computed on the input plane itself. Output positions whose
 *       shifted read falls above or below the plane are skipped (dense) or read zero rows added before and after
 *       (depthwise); reads that wrap around a row end (a column shifted past the left or right edge lands in the
 *       neighbouring row) are subtracted again afterwards, a few strided columns per tap.
 *   <li>Any other padding: the input is zero-padded (a copy), the "valid" convolution is computed on whole rows of
 *       the padded width, whose last kw − 1 columns are junk that absorbs the wrapped reads, and cropped.
 *   <li>Strided or dilated: each tap's strided view of the zero-padded input is gathered into a reused buffer (a
 *       plain strided copy) before its GEMM or multiply-add.
 * </ul>
 *
 * <p>Why: libnd4j's conv2d writes a k²-times larger im2col buffer and its depthwise_conv2d also permutes it; on
 * EfficientNetV2-S shapes this path is 4-15 times faster. Only libnd4j custom ops and GEMMs touch the data (its legacy
 * broadcast ops and writes into strided views are 10-50 times slower than the custom ops).
 */
final class ShiftedConv {
  private static final DataType F = DataType.FLOAT;

  private ShiftedConv() {}

  /** Whether {@link #conv2d} computes this convolution: dense or depthwise (not other grouped ones). */
  static boolean applies(INDArray w, Conv2dSpec s, boolean depthwise) {
    return s.groups() == 1 || depthwise;
  }

  private static boolean unitStep(Conv2dSpec s) {
    return s.strideH() == 1 && s.strideW() == 1 && s.dilationH() == 1 && s.dilationW() == 1;
  }

  /** "Same" geometry: odd kernel, padding (k − 1) / 2, so the output plane is the input plane. */
  private static boolean same(INDArray w, Conv2dSpec s) {
    long kh = w.size(2), kw = w.size(3);
    return kh % 2 == 1 && kw % 2 == 1 && s.padH() == (kh - 1) / 2 && s.padW() == (kw - 1) / 2;
  }

  /**
   * x [B, C, H, W] and w [O, C, kh, kw] (depthwise: [C, 1, kh, kw]), both contiguous row-major; bias [O] or null.
   * Returns a new [B, O, H', W'].
   */
  static INDArray conv2d(INDArray x, INDArray w, INDArray bias, Conv2dSpec s, boolean depthwise) {
    INDArray out = !unitStep(s) ? gathered(x, w, s, depthwise)
        : same(w, s) ? same(x, w, depthwise) : padded(x, w, s, depthwise);
    if (bias != null) {
      INDArray flat = out.reshape('c', out.size(0), out.size(1), out.size(2) * out.size(3));
      Nd4jBackend.exec("add", new INDArray[] {flat, bias.reshape('c', 1, bias.length(), 1)}, new INDArray[] {flat},
          null);
    }
    return out;
  }

  /** Per kernel tap: dense [taps, O, C] (one GEMM operand each), depthwise [taps, C, 1]; close {@code root}. */
  private record Taps(INDArray root, INDArray taps) {
    static Taps of(INDArray w, boolean depthwise) {
      long o = w.size(0), c = w.size(1), k = w.size(2) * w.size(3);
      INDArray root = depthwise ? w.reshape('c', o, k).transpose().dup('c')
          : w.reshape('c', o, c, k).permute(2, 0, 1).dup('c');
      return new Taps(root, depthwise ? root.reshape('c', k, o, 1) : root);
    }

    INDArray tap(int t) {
      return taps.slice(t);
    }
  }

  /** A "same" convolution straight from the input: no copies; wrapped row ends are subtracted afterwards. */
  private static INDArray same(INDArray x, INDArray w, boolean depthwise) {
    long batch = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), o = w.size(0);
    int kh = (int) w.size(2), kw = (int) w.size(3);
    long hw = h * wd;
    INDArray out = Nd4j.createUninitialized(F, batch, o, h, wd);
    Taps taps = Taps.of(w, depthwise);
    long margin = (kh - 1) / 2 * wd + (kw - 1) / 2; // the largest |off|
    INDArray padded = depthwise ? Nd4j.createUninitialized(F, c, hw + 2 * margin) : null;
    INDArray part = depthwise ? Nd4j.createUninitialized(F, c, hw) : null;
    try (INDArray pads = depthwise ? Nd4j.createFromArray(new long[][] {{0, 0}, {margin, margin}}) : null) {
      int[] order = tapOrder(kh, kw);
      for (long b = 0; b < batch; b++) {
        long xo = x.offset() + b * c * hw, oo = out.offset() + b * o * hw;
        INDArray dst = view(out.data(), oo, o, hw, hw, 1);
        if (depthwise) Nd4jBackend.exec("pad", new INDArray[] {view(x.data(), xo, c, hw, hw, 1), pads},
            new INDArray[] {padded}, new int[] {0}, 0.0);
        for (int k = 0; k < order.length; k++) {
          int t = order[k];
          int di = t / kw - (kh - 1) / 2, dj = t % kw - (kw - 1) / 2;
          long off = di * wd + dj;
          long lo = Math.max(0, -off), hi = hw - Math.max(0, off); // positions whose read stays inside the plane
          if (hi <= lo) continue;
          INDArray wt = taps.tap(t);
          if (depthwise) {
            INDArray src = view(padded.data(), padded.offset() + margin + off, c, hw, hw + 2 * margin, 1);
            if (k == 0) {
              Nd4jBackend.exec("multiply", new INDArray[] {src, wt}, new INDArray[] {dst}, null);
            } else {
              Nd4jBackend.exec("multiply", new INDArray[] {src, wt}, new INDArray[] {part}, null);
              dst.addi(part);
            }
          } else {
            // the centre tap (k == 0) reads every position and so sets the whole output
            INDArray src = view(x.data(), xo + lo + off, c, hi - lo, hw, 1);
            INDArray d = view(out.data(), oo + lo, o, hi - lo, hw, 1);
            Nd4jBackend.exec("matmul", new INDArray[] {wt, src}, new INDArray[] {d}, new int[] {0, 0, 0}, 1.0,
                k == 0 ? 0.0 : 1.0);
          }
          if (dj != 0) unwrap(x.data(), xo, out.data(), oo, wt, depthwise, c, o, h, wd, off, lo, hi, dj);
        }
      }
      return out;
    } finally {
      taps.root().close();
      if (padded != null) padded.close();
      if (part != null) part.close();
    }
  }

  /**
   * Any other stride-1 convolution: the input zero-padded into a copy with one spare zero row at the bottom, then a
   * "valid" convolution computed on whole rows of the padded width (the last kw − 1 columns of each row are junk that
   * absorbs the reads wrapping into the next row; the spare row keeps the last junk reads inside the plane), so every
   * tap writes a contiguous block; finally the junk columns are cropped.
   */
  private static INDArray padded(INDArray x, INDArray w, Conv2dSpec s, boolean depthwise) {
    long batch = x.size(0), c = x.size(1), o = w.size(0);
    int kh = (int) w.size(2), kw = (int) w.size(3);
    long hp = x.size(2) + 2L * s.padH(), wp = x.size(3) + 2L * s.padW();
    long ho = hp - kh + 1, wo = wp - kw + 1;
    if (ho < 1 || wo < 1)
      throw new IllegalArgumentException("conv2d: kernel " + kh + "x" + kw + " larger than the padded input " + hp + "x"
          + wp);
    INDArray xp = Nd4j.createUninitialized(F, batch, c, hp + 1, wp);
    try (INDArray pads = Nd4j.createFromArray(new long[][] {{0, 0}, {0, 0}, {s.padH(), s.padH() + 1},
        {s.padW(), s.padW()}})) {
      Nd4jBackend.exec("pad", new INDArray[] {x, pads}, new INDArray[] {xp}, new int[] {0}, 0.0);
    }
    long plane = (hp + 1) * wp, n = ho * wp; // every position of the padded-width output rows
    INDArray grid = Nd4j.createUninitialized(F, batch, o, ho, wp);
    INDArray part = depthwise ? Nd4j.createUninitialized(F, c, n) : null;
    Taps taps = Taps.of(w, depthwise);
    try {
      for (long b = 0; b < batch; b++) {
        INDArray dst = view(grid.data(), grid.offset() + b * o * n, o, n, n, 1);
        for (int t = 0; t < kh * kw; t++) {
          long off = (long) (t / kw) * wp + t % kw;
          INDArray src = view(xp.data(), xp.offset() + b * c * plane + off, c, n, plane, 1);
          if (!depthwise) {
            Nd4jBackend.exec("matmul", new INDArray[] {taps.tap(t), src}, new INDArray[] {dst}, new int[] {0, 0, 0},
                1.0, t == 0 ? 0.0 : 1.0);
          } else if (t == 0) {
            Nd4jBackend.exec("multiply", new INDArray[] {src, taps.tap(t)}, new INDArray[] {dst}, null);
          } else {
            Nd4jBackend.exec("multiply", new INDArray[] {src, taps.tap(t)}, new INDArray[] {part}, null);
            dst.addi(part);
          }
        }
      }
      return grid.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, wo))
          .dup('c');
    } finally {
      taps.root().close();
      grid.close();
      xp.close();
      if (part != null) part.close();
    }
  }

  /**
   * Strided or dilated convolutions: the input zero-padded (a copy), then per tap its strided view
   * {@code xp[:, i·dh :: sh, j·dw :: sw]} gathered into one reused contiguous [C, Ho·Wo] buffer (a plain strided copy,
   * far cheaper than libnd4j's im2col) and multiplied in.
   */
  private static INDArray gathered(INDArray x, INDArray w, Conv2dSpec s, boolean depthwise) {
    long batch = x.size(0), c = x.size(1), o = w.size(0);
    int kh = (int) w.size(2), kw = (int) w.size(3);
    long hp = x.size(2) + 2L * s.padH(), wp = x.size(3) + 2L * s.padW();
    long ho = s.outH(x.size(2), kh), wo = s.outW(x.size(3), kw);
    if (ho < 1 || wo < 1)
      throw new IllegalArgumentException("conv2d: kernel " + kh + "x" + kw + " larger than the padded input " + hp + "x"
          + wp);
    INDArray xp = x;
    if (s.padH() > 0 || s.padW() > 0) {
      xp = Nd4j.createUninitialized(F, batch, c, hp, wp);
      try (INDArray pads = Nd4j.createFromArray(new long[][] {{0, 0}, {0, 0}, {s.padH(), s.padH()},
          {s.padW(), s.padW()}})) {
        Nd4jBackend.exec("pad", new INDArray[] {x, pads}, new INDArray[] {xp}, new int[] {0}, 0.0);
      }
    }
    long n = ho * wo, plane = hp * wp;
    INDArray out = Nd4j.createUninitialized(F, batch, o, ho, wo);
    INDArray col = Nd4j.createUninitialized(F, c, ho, wo);
    INDArray cols = col.reshape('c', c, n);
    INDArray part = depthwise ? Nd4j.createUninitialized(F, c, n) : null;
    Taps taps = Taps.of(w, depthwise);
    try {
      for (long b = 0; b < batch; b++) {
        INDArray dst = view(out.data(), out.offset() + b * o * n, o, n, n, 1);
        for (int t = 0; t < kh * kw; t++) {
          long off = (long) (t / kw) * s.dilationH() * wp + (long) (t % kw) * s.dilationW();
          col.assign(Nd4j.create(xp.data(), new long[] {c, ho, wo},
              new long[] {plane, s.strideH() * wp, s.strideW()}, xp.offset() + b * c * plane + off, 'c'));
          if (!depthwise) {
            Nd4jBackend.exec("matmul", new INDArray[] {taps.tap(t), cols}, new INDArray[] {dst}, new int[] {0, 0, 0},
                1.0, t == 0 ? 0.0 : 1.0);
          } else if (t == 0) {
            Nd4jBackend.exec("multiply", new INDArray[] {cols, taps.tap(t)}, new INDArray[] {dst}, null);
          } else {
            Nd4jBackend.exec("multiply", new INDArray[] {cols, taps.tap(t)}, new INDArray[] {part}, null);
            dst.addi(part);
          }
        }
      }
      return out;
    } finally {
      taps.root().close();
      col.close();
      if (part != null) part.close();
      if (xp != x) xp.close();
    }
  }

  /** The centre tap first (it reads every output position, so it initialises the output), then the others. */
  private static int[] tapOrder(int kh, int kw) {
    int centre = (kh / 2) * kw + kw / 2;
    int[] order = new int[kh * kw];
    order[0] = centre;
    for (int t = 0, k = 1; t < kh * kw; t++) if (t != centre) order[k++] = t;
    return order;
  }

  /**
   * Removes what the tap at {@code off} added at the output columns whose horizontal shift {@code dj} crosses the
   * plane's left or right edge: there the flattened read took a value from the neighbouring row. Only positions in
   * [lo, hi) read inside the plane; the others were skipped or read zeros.
   */
  private static void unwrap(DataBuffer xb, long xo, DataBuffer ob, long oo, INDArray wt, boolean depthwise, long c,
      long o, long h, long wd, long off, long lo, long hi, int dj) {
    long from = dj < 0 ? 0 : Math.max(0, wd - dj), to = dj < 0 ? Math.min(wd, -dj) : wd;
    for (long col = from; col < to; col++) {
      long rlo = Math.max(0, -Math.floorDiv(col - lo, wd)), rhi = Math.min(h - 1, Math.floorDiv(hi - 1 - col, wd));
      long n = rhi - rlo + 1;
      if (n <= 0) continue;
      try (INDArray src = view(xb, xo + rlo * wd + col + off, c, n, h * wd, wd).dup('c');
          INDArray wrong = Nd4j.createUninitialized(F, o, n)) {
        if (depthwise) Nd4jBackend.exec("multiply", new INDArray[] {src, wt}, new INDArray[] {wrong}, null);
        else Nd4jBackend.exec("matmul", new INDArray[] {wt, src}, new INDArray[] {wrong}, new int[] {0, 0, 0}, 1.0, 0.0);
        view(ob, oo + rlo * wd + col, o, n, h * wd, wd).subi(wrong);
      }
    }
  }

  /** A [rows, cols] view of {@code buf} at element {@code offset} with the given row and column strides. */
  private static INDArray view(DataBuffer buf, long offset, long rows, long cols, long rowStride, long colStride) {
    return Nd4j.create(buf, new long[] {rows, cols}, new long[] {rowStride, colStride}, offset, 'c');
  }
}
