package org.cascadetuner.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.nn.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * The ND4J backend's convolutions (one GEMM or per-channel multiply per kernel tap on shifted views of the input,
 * with the row-wrap columns subtracted again, or on padded-width rows, or on gathered strided views) against the naive
 * definition, on the shapes where that bookkeeping can go wrong: planes narrower or shorter than the kernel, one row or
 * column, batches, bias or none, non-square and even kernels, other paddings, strides, dilation and a non-contiguous
 * input.
 */
class ShiftedConvTest {
  static final double TOL = 2e-6;
  final Backend be = Backends.get("cpu");
  final Random rng = new Random(11);

  Tensor randn(long... shape) {
    return GradCheck.randn(be, rng, 1.0, shape);
  }

  void check(long[] xs, long[] ws, int groups, boolean bias) {
    check(xs, ws, new Conv2dSpec(1, 1, (int) (ws[2] - 1) / 2, (int) (ws[3] - 1) / 2, 1, 1, groups), bias);
  }

  void check(long[] xs, long[] ws, Conv2dSpec spec, boolean bias) {
    int groups = spec.groups();
    try (Tensor x = randn(xs); Tensor w = randn(ws); Tensor b = bias ? randn(ws[0]) : null;
        Tensor y = be.conv2d(x, w, b, spec)) {
      long[] os = new long[4];
      double[] ref = BackendOpsTest.convRef(x.toFloats(), xs, w.toFloats(), ws, bias ? b.toFloats() : null, spec, os);
      assertArrayEquals(os, y.shape(), "shape");
      float[] f = new float[ref.length];
      for (int i = 0; i < f.length; i++) f[i] = (float) ref[i];
      Compare.assertClose("conv x" + java.util.Arrays.toString(xs) + " w" + java.util.Arrays.toString(ws) + " " + spec
          + (bias ? " bias" : ""), f, y, TOL);
    }
  }

  @Test
  void denseConvolutions() {
    long[][] planes = {{6, 5}, {1, 7}, {7, 1}, {1, 1}, {2, 2}, {3, 9}};
    for (long[] hw : planes)
      for (long k : new long[] {1, 3, 5})
        for (boolean bias : new boolean[] {true, false}) check(new long[] {2, 3, hw[0], hw[1]}, new long[] {4, 3, k, k}, 1,
            bias);
    check(new long[] {2, 2, 5, 6}, new long[] {3, 2, 3, 1}, 1, true);
    check(new long[] {1, 2, 5, 6}, new long[] {3, 2, 1, 5}, 1, false);
  }

  @Test
  void depthwiseConvolutions() {
    long[][] planes = {{6, 5}, {1, 7}, {7, 1}, {1, 1}, {2, 2}, {4, 9}};
    for (long[] hw : planes)
      for (long k : new long[] {3, 5})
        for (boolean bias : new boolean[] {true, false}) check(new long[] {2, 4, hw[0], hw[1]}, new long[] {4, 1, k, k}, 4,
            bias);
    check(new long[] {2, 3, 5, 6}, new long[] {3, 1, 1, 3}, 3, true);
  }

  @Test
  void otherPaddingsAndEvenKernels() {
    for (int groups : new int[] {1, 3})
      for (boolean bias : new boolean[] {true, false}) {
        long in = 3, out = groups == 1 ? 5 : 3, wc = groups == 1 ? 3 : 1;
        check(new long[] {2, in, 6, 5}, new long[] {out, wc, 3, 3}, new Conv2dSpec(1, 1, 0, 0, 1, 1, groups), bias);
        check(new long[] {2, in, 6, 5}, new long[] {out, wc, 2, 2}, new Conv2dSpec(1, 1, 0, 0, 1, 1, groups), bias);
        check(new long[] {1, in, 5, 7}, new long[] {out, wc, 4, 4}, new Conv2dSpec(1, 1, 1, 1, 1, 1, groups), bias);
        check(new long[] {2, in, 4, 3}, new long[] {out, wc, 3, 3}, new Conv2dSpec(1, 1, 2, 0, 1, 1, groups), bias);
        check(new long[] {1, in, 3, 3}, new long[] {out, wc, 3, 3}, new Conv2dSpec(1, 1, 0, 0, 1, 1, groups), bias);
        check(new long[] {1, in, 1, 6}, new long[] {out, wc, 1, 3}, new Conv2dSpec(1, 1, 0, 0, 1, 1, groups), bias);
      }
  }

  @Test
  void stridedAndDilated() {
    for (int groups : new int[] {1, 3})
      for (boolean bias : new boolean[] {true, false}) {
        long in = 3, out = groups == 1 ? 5 : 3, wc = groups == 1 ? 3 : 1;
        check(new long[] {2, in, 7, 6}, new long[] {out, wc, 3, 3}, new Conv2dSpec(2, 2, 1, 1, 1, 1, groups), bias);
        check(new long[] {1, in, 8, 9}, new long[] {out, wc, 4, 4}, new Conv2dSpec(2, 2, 1, 1, 1, 1, groups), bias);
        check(new long[] {2, in, 6, 5}, new long[] {out, wc, 2, 2}, new Conv2dSpec(2, 2, 0, 0, 1, 1, groups), bias);
        check(new long[] {1, in, 7, 7}, new long[] {out, wc, 3, 3}, new Conv2dSpec(1, 2, 2, 1, 2, 1, groups), bias);
        check(new long[] {1, in, 1, 1}, new long[] {out, wc, 3, 3}, new Conv2dSpec(2, 2, 1, 1, 1, 1, groups), bias);
      }
  }

  @Test
  void aNonContiguousInput() {
    try (Tensor base = randn(2, 5, 4, 3); Tensor x = be.permute(base, 0, 3, 2, 1); Tensor xc = be.contiguous(x);
        Tensor w = randn(6, 3, 3, 3); Tensor y = be.conv2d(x, w, null, Conv2dSpec.of(1, 1));
        Tensor ref = be.conv2d(xc, w, null, Conv2dSpec.of(1, 1))) {
      Compare.assertClose("permuted input", ref.toFloats(), y, 0);
    }
  }
}
