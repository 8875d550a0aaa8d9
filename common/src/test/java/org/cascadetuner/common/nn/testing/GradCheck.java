package org.cascadetuner.common.nn.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Supplier;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * Central finite differences in float32 for L = Σ f(·)·r (r a fixed random projection, L summed in double). Small
 * tensors only: every coordinate is perturbed in turn.
 */
public final class GradCheck {
  private GradCheck() {}

  public static final double EPS = 1e-2;
  public static final double TOL = 5e-3;

  public static float[] randn(Random rng, int n, double scale) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) f[i] = (float) (rng.nextGaussian() * scale);
    return f;
  }

  public static Tensor randn(Backend be, Random rng, double scale, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return be.fromFloats(randn(rng, (int) n, scale), shape);
  }

  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
    return s;
  }

  /** Most coordinates perturbed per tensor (a fixed random subset beyond that, to keep the suite fast). */
  public static final int MAX_COORDS = 16;

  /**
   * dL/d(target) by central differences, where {@code forward} recomputes the output from the current values;
   * coordinates not checked are NaN.
   */
  public static float[] numeric(Tensor target, Supplier<Tensor> forward, float[] r) {
    Backend be = target.backend();
    float[] x = target.toFloats();
    float[] g = new float[x.length];
    java.util.Arrays.fill(g, Float.NaN);
    java.util.List<Integer> coords = new java.util.ArrayList<>();
    for (int i = 0; i < x.length; i++) coords.add(i);
    java.util.Collections.shuffle(coords, new Random(x.length));
    for (int i : coords.subList(0, Math.min(MAX_COORDS, x.length))) {
      float orig = x[i];
      x[i] = (float) (orig + EPS);
      be.write(target, x);
      double up = loss(forward, r);
      x[i] = (float) (orig - EPS);
      be.write(target, x);
      double down = loss(forward, r);
      x[i] = orig;
      g[i] = (float) ((up - down) / (2 * EPS));
    }
    be.write(target, x);
    return g;
  }

  private static double loss(Supplier<Tensor> forward, float[] r) {
    try (Tensor y = forward.get()) {
      return dot(y.toFloats(), r);
    }
  }

  /** max|num − ana| / max|num| ≤ TOL over the checked coordinates; the gradient must not vanish. */
  public static void assertGradient(String what, float[] numeric, float[] analytic) {
    assertTrue(maxAbs(numeric) > 1e-3, what + ": gradient is ~0, the check would prove nothing");
    assertMatches(what, numeric, analytic);
  }

  /** As {@link #assertGradient}, but a gradient that is zero by the math (e.g. a key bias) must be ~0 too. */
  public static void assertMatches(String what, float[] numeric, float[] analytic) {
    double maxNum = maxAbs(numeric), maxDiff = 0;
    for (int i = 0; i < numeric.length; i++) {
      if (Float.isNaN(numeric[i])) continue;
      if (Float.isNaN(analytic[i])) maxDiff = Double.POSITIVE_INFINITY;
      maxDiff = Math.max(maxDiff, Math.abs(numeric[i] - analytic[i]));
    }
    double e = maxNum < 1e-3 ? maxDiff : maxDiff / maxNum;
    assertTrue(e <= TOL, what + ": finite-difference mismatch, " + (maxNum < 1e-3 ? "absolute" : "relative")
        + " error " + e);
  }

  static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) if (!Float.isNaN(v)) m = Math.max(m, Math.abs(v));
    return m;
  }
}
