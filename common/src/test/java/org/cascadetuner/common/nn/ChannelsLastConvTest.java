package org.cascadetuner.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.cascadetuner.common.nn.testing.Compare;
import org.junit.jupiter.api.Test;

/**
 * The backend's native channels-last convolution against the seam's default (transpose, NCHW conv, transpose back),
 * forward and all three gradients, for the depthwise 3×3 of Stage C's ResBlock and a plain strided convolution.
 */
class ChannelsLastConvTest {
  static final Backend BE = Backends.get("cpu");

  /** The default methods of the interface, not the backend's overrides. */
  static final Backend REFERENCE = new Backend() {
    @Override public String name() { return "reference"; }
    @Override public Tensor zeros(long... s) { return BE.zeros(s); }
    @Override public Tensor full(float v, long... s) { return BE.full(v, s); }
    @Override public Tensor fromFloats(float[] d, long... s) { return BE.fromFloats(d, s); }
    @Override public float[] toFloats(Tensor t) { return BE.toFloats(t); }
    @Override public void write(Tensor d, float[] data) { BE.write(d, data); }
    @Override public Tensor copy(Tensor t) { return BE.copy(t); }
    @Override public void assign(Tensor d, Tensor s) { BE.assign(d, s); }
    @Override public void fill(Tensor d, float v) { BE.fill(d, v); }
    @Override public Tensor reshape(Tensor t, long... s) { return BE.reshape(t, s); }
    @Override public Tensor permute(Tensor t, int... a) { return BE.permute(t, a); }
    @Override public Tensor contiguous(Tensor t) { return BE.contiguous(t); }
    @Override public Tensor slice(Tensor t, int a, long s, long e) { return BE.slice(t, a, s, e); }
    @Override public Tensor concat(int a, Tensor... p) { return BE.concat(a, p); }
    @Override public Tensor matmul(Tensor a, Tensor b, boolean ta, boolean tb) { return BE.matmul(a, b, ta, tb); }
    @Override public void gemm(Tensor c, Tensor a, Tensor b, boolean ta, boolean tb, float al, float be) { BE.gemm(c, a, b, ta, tb, al, be); }
    @Override public Tensor add(Tensor a, Tensor b) { return BE.add(a, b); }
    @Override public Tensor sub(Tensor a, Tensor b) { return BE.sub(a, b); }
    @Override public Tensor mul(Tensor a, Tensor b) { return BE.mul(a, b); }
    @Override public Tensor div(Tensor a, Tensor b) { return BE.div(a, b); }
    @Override public Tensor add(Tensor a, float s) { return BE.add(a, s); }
    @Override public Tensor mul(Tensor a, float s) { return BE.mul(a, s); }
    @Override public Tensor pow(Tensor a, float p) { return BE.pow(a, p); }
    @Override public Tensor clamp(Tensor a, float lo, float hi) { return BE.clamp(a, lo, hi); }
    @Override public Tensor map(Unary f, Tensor x) { return BE.map(f, x); }
    @Override public void addInPlace(Tensor d, Tensor s) { BE.addInPlace(d, s); }
    @Override public void addScaledInPlace(Tensor d, Tensor s, float a) { BE.addScaledInPlace(d, s, a); }
    @Override public void mulInPlace(Tensor d, Tensor s) { BE.mulInPlace(d, s); }
    @Override public void scaleInPlace(Tensor d, float s) { BE.scaleInPlace(d, s); }
    @Override public Tensor geluBackward(Tensor x, Tensor dy) { return BE.geluBackward(x, dy); }
    @Override public Tensor siluBackward(Tensor x, Tensor dy) { return BE.siluBackward(x, dy); }
    @Override public Tensor sum(Tensor x, boolean k, int... a) { return BE.sum(x, k, a); }
    @Override public Tensor mean(Tensor x, boolean k, int... a) { return BE.mean(x, k, a); }
    @Override public Tensor max(Tensor x, boolean k, int... a) { return BE.max(x, k, a); }
    @Override public double sumOfSquares(Tensor x) { return BE.sumOfSquares(x); }
    @Override public LayerNormResult layerNorm(Tensor x, Tensor g, Tensor b, float eps) { return BE.layerNorm(x, g, b, eps); }
    @Override public LayerNormGrads layerNormBackward(Tensor dy, Tensor x, Tensor m, Tensor r, Tensor g, boolean nb) { return BE.layerNormBackward(dy, x, m, r, g, nb); }
    @Override public Tensor softmax(Tensor x) { return BE.softmax(x); }
    @Override public Tensor conv2d(Tensor x, Tensor w, Tensor b, Conv2dSpec s) { return BE.conv2d(x, w, b, s); }
    @Override public ConvGrads conv2dBackward(Tensor dy, Tensor x, Tensor w, Conv2dSpec s, boolean ni, boolean nw, boolean nb) { return BE.conv2dBackward(dy, x, w, s, ni, nw, nb); }
    @Override public Tensor conv2dBackwardInput(Tensor dy, Tensor w, long[] is, Conv2dSpec s) { return BE.conv2dBackwardInput(dy, w, is, s); }
    @Override public Tensor gatherRows(Tensor t, int[] ids) { return BE.gatherRows(t, ids); }
    @Override public void scatterAddRows(Tensor d, int[] ids, Tensor s) { BE.scatterAddRows(d, ids, s); }
    @Override public Tensor dropoutMask(long seed, float p, long... s) { return BE.dropoutMask(seed, p, s); }
    @Override public void adamwStep(Tensor p, Tensor g, Tensor m, Tensor v, AdamW h, long step) { BE.adamwStep(p, g, m, v, h, step); }
    @Override public void sgdStep(Tensor p, Tensor g, Tensor b, double lr, double mo, double wd, boolean f) { BE.sgdStep(p, g, b, lr, mo, wd, f); }
  };

  static Tensor random(SplittableRandom rng, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextDouble() * 2 - 1);
    return BE.fromFloats(v, shape);
  }

  void check(long[] xShape, long[] wShape, Conv2dSpec spec) {
    SplittableRandom rng = new SplittableRandom(7);
    try (Tensor x = random(rng, xShape); Tensor w = random(rng, wShape); Tensor b = random(rng, wShape[0]);
        Tensor y = BE.conv2dNhwc(x, w, b, spec); Tensor ref = REFERENCE.conv2dNhwc(x, w, b, spec);
        Tensor dy = random(rng, ref.shape())) {
      assertArrayEquals(ref.shape(), y.shape());
      Compare.assertClose("forward", ref.toFloats(), y, 1e-5);
      Backend.ConvGrads g = BE.conv2dNhwcBackward(dy, x, w, spec, true, true, true);
      Backend.ConvGrads r = REFERENCE.conv2dNhwcBackward(dy, x, w, spec, true, true, true);
      try (Tensor a = g.dx(); Tensor a2 = g.dw(); Tensor a3 = g.db(); Tensor b1 = r.dx(); Tensor b2 = r.dw();
          Tensor b3 = r.db()) {
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
  void groupedConvFallsBackToTheReference() {
    check(new long[] {1, 5, 5, 8}, new long[] {4, 4, 3, 3}, Conv2dSpec.of(1, 1, 2));
  }
}
