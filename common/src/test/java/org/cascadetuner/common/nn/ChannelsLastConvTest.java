package org.cascadetuner.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.cascadetuner.common.nn.testing.Compare;
import org.junit.jupiter.api.Test;

/**
 * The backend's channels-last convolution against the NCHW one between transposes (what the seam's default does),
 * forward and all three gradients, for the depthwise 3×3 of Stage C's ResBlock, a plain strided convolution and a
 * grouped one (which the ND4J backend leaves to the default).
 */
class ChannelsLastConvTest {
  static final Backend BE = Backends.get("cpu");

  static Tensor random(SplittableRandom rng, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextDouble() * 2 - 1);
    return BE.fromFloats(v, shape);
  }

  static Tensor nchw(Tensor t) {
    try (Tensor p = BE.permute(t, 0, 3, 1, 2)) {
      return BE.contiguous(p);
    }
  }

  static Tensor nhwc(Tensor t) {
    try (Tensor p = BE.permute(t, 0, 2, 3, 1)) {
      return BE.contiguous(p);
    }
  }

  void check(long[] xShape, long[] wShape, Conv2dSpec spec) {
    SplittableRandom rng = new SplittableRandom(7);
    try (Tensor x = random(rng, xShape); Tensor w = random(rng, wShape); Tensor b = random(rng, wShape[0]);
        Tensor y = BE.conv2dNhwc(x, w, b, spec); Tensor xn = nchw(x); Tensor yn = BE.conv2d(xn, w, b, spec);
        Tensor ref = nhwc(yn); Tensor dy = random(rng, ref.shape()); Tensor dyn = nchw(dy)) {
      assertArrayEquals(ref.shape(), y.shape());
      Compare.assertClose("forward", ref.toFloats(), y, 1e-5);
      Backend.ConvGrads g = BE.conv2dNhwcBackward(dy, x, w, spec, true, true, true);
      Backend.ConvGrads r = BE.conv2dBackward(dyn, xn, w, spec, true, true, true);
      try (Tensor a = g.dx(); Tensor a2 = g.dw(); Tensor a3 = g.db(); Tensor dxn = r.dx(); Tensor b1 = nhwc(dxn);
          Tensor b2 = r.dw(); Tensor b3 = r.db()) {
        assertArrayEquals(xShape, a.shape());
        Compare.assertClose("dx", b1.toFloats(), a, 1e-5);
        Compare.assertClose("dw", b2.toFloats(), a2, 1e-5);
        Compare.assertClose("db", b3.toFloats(), a3, 1e-5);
      }
    }
  }

  @Test
  void depthwiseMatchesTheTransposedReference() {
    check(new long[] {2, 6, 8, 12}, new long[] {12, 1, 3, 3}, Conv2dSpec.of(1, 1, 12));
  }

  @Test
  void plainStridedConvMatchesTheTransposedReference() {
    check(new long[] {2, 8, 6, 5}, new long[] {7, 5, 2, 2}, Conv2dSpec.of(2, 0));
  }

  @Test
  void groupedConvMatchesTheTransposedReference() {
    check(new long[] {1, 5, 5, 8}, new long[] {4, 4, 3, 3}, Conv2dSpec.of(1, 1, 2));
  }
}
