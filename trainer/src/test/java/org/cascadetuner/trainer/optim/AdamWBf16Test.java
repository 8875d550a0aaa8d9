package org.cascadetuner.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.cascadetuner.common.diffusion.SeededNoise;
import org.cascadetuner.common.io.HalfFloats;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.junit.jupiter.api.Test;

/** Stochastic bfloat16 rounding and adamw_bf16 against torch's float32 AdamW (goldens/optim). */
class AdamWBf16Test {
  final Backend be = Backends.get("cpu");
  final OptimGolden g = OptimGolden.load();

  /** The bfloat16 spacing at |x|: 2^(exponent − 7). */
  static double bf16Ulp(float x) {
    return Math.ulp(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Math.abs(x)))) * 65536.0;
  }

  @Test
  void roundingGoesToOneOfTheTwoNeighboursWithTheRightProbability() {
    float lo = 1.5f, hi = HalfFloats.bf16ToFloat((short) (HalfFloats.floatToBf16(lo) + 1));
    // low 16 bits L: round up exactly when r >= 65536 − L
    float x = Float.intBitsToFloat(Float.floatToRawIntBits(lo) + 0x3000);
    assertEquals(lo, HalfFloats.bf16ToFloat(StochasticBf16.round(x, 65536 - 0x3000 - 1)));
    assertEquals(hi, HalfFloats.bf16ToFloat(StochasticBf16.round(x, 65536 - 0x3000)));
    assertEquals(-hi, HalfFloats.bf16ToFloat(StochasticBf16.round(-x, 65535)), "negative values round in magnitude");
    // exact values never move; NaN and infinities survive; no overflow into infinity
    for (int r : new int[] {0, 12345, 65535}) {
      assertEquals(lo, HalfFloats.bf16ToFloat(StochasticBf16.round(lo, r)));
      assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(StochasticBf16.round(Float.NaN, r))));
      assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.bf16ToFloat(StochasticBf16.round(Float.NEGATIVE_INFINITY, r)));
      float big = HalfFloats.bf16ToFloat(StochasticBf16.round(Float.MAX_VALUE, r));
      assertTrue(Float.isFinite(big) && big > 3e38f, "MAX_VALUE rounds to the largest finite bf16, got " + big);
    }
  }

  @Test
  void roundingIsUnbiased() {
    // values between bf16 neighbours (the golden's weights, gradients, and tiny moment-like numbers), each rounded
    // K times with independent draws: the mean must approach x within a few standard errors (σ ≤ spacing/2)
    int k = 4096;
    float[] xs = g.grads().get(0).clone();
    float[] all = new float[xs.length * 3];
    for (int i = 0; i < xs.length; i++) {
      all[3 * i] = xs[i];
      all[3 * i + 1] = g.init()[i];
      all[3 * i + 2] = xs[i] * xs[i] * 1e-3f;
    }
    double worstZ = 0, nearestBias = 0;
    for (float x : all) {
      double sum = 0;
      for (int j = 0; j < k; j++) {
        int r = (int) (SeededNoise.bits(SeededNoise.key(5, Float.floatToRawIntBits(x)), j) >>> 48);
        sum += HalfFloats.bf16ToFloat(StochasticBf16.round(x, r));
      }
      double spacing = bf16Ulp(x);
      double z = Math.abs(sum / k - x) / (0.5 * spacing / Math.sqrt(k));
      worstZ = Math.max(worstZ, z);
      nearestBias = Math.max(nearestBias, Math.abs(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(x)) - x) / spacing);
    }
    System.out.printf("stochastic bf16: worst |mean − x| = %.2f standard errors over %d values (nearest rounding is off"
        + " by up to %.2f spacings)%n", worstZ, all.length, nearestBias);
    assertTrue(worstZ < 5, "stochastic rounding is biased: " + worstZ + " standard errors");
    assertTrue(nearestBias > 0.25, "the test values must sit between bf16 neighbours");
  }

  @Test
  void tracksFloat32AdamWOverTheGoldenSteps() {
    try (SafeTensors st = OptimGolden.io()) {
      for (double wd : g.weightDecays()) {
        String run = OptimGolden.run(st, wd);
        try (ParameterStore ps = g.store(be); AdamWBf16 opt = new AdamWBf16(g.settings(wd), 1234)) {
          Parameter w = ps.get("w");
          double worstP = 0, worstM = 0;
          for (int k = 1; k <= g.grads().size(); k++) {
            OptimGolden.setGrad(w, g.grads().get(k - 1));
            opt.step(ps.trainable(), g.lr());
            float[] p = w.value().toFloats(), ref = st.floats(run + "step" + k);
            for (int i = 0; i < p.length; i++) {
              assertEquals(p[i], HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(p[i])), "weights are stored as bf16");
              // each write-back moves a weight by less than one bf16 spacing; the bf16 moments change the step by
              // well under 5 % of lr
              double bound = (k + 1) * bf16Ulp(ref[i]) + 0.05 * g.lr() * k;
              double e = Math.abs(p[i] - ref[i]);
              assertTrue(e <= bound, run + "step" + k + "[" + i + "]: " + p[i] + " vs " + ref[i]);
              worstP = Math.max(worstP, e / bf16Ulp(ref[i]));
            }
            float[] m = opt.state().tensors().get("exp_avg/w"), mRef = st.floats(run + "exp_avg" + k);
            double mMax = 0;
            for (float v : mRef) mMax = Math.max(mMax, Math.abs(v));
            for (int i = 0; i < m.length; i++) worstM = Math.max(worstM, Math.abs(m[i] - mRef[i]) / mMax);
          }
          System.out.printf("adamw_bf16 vs float32 AdamW %s: weights within %.2f bf16 spacings, exp_avg within %.2e"
              + " of its max%n", run, worstP, worstM);
          assertTrue(worstM < 5 * 0x1p-8, "exp_avg drifts " + worstM);
        }
      }
    }
  }

  @Test
  void reproducibleAndRestorable() {
    float[] a = run(7, 0), b = run(7, 0), c = run(8, 0);
    assertArrayEquals(a, b, "same seed, same weights");
    assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c), "another seed rounds differently");
    // stop after 2 updates, save, continue in a new optimizer: the weights equal the uninterrupted run
    assertArrayEquals(a, run(7, 2));
  }

  /** Runs all golden steps with seed {@code seed}, restarting from saved state after {@code split} steps (0 = never). */
  float[] run(long seed, int split) {
    double wd = g.weightDecays().get(0);
    try (ParameterStore ps = g.store(be)) {
      AdamWBf16 opt = new AdamWBf16(g.settings(wd), seed);
      for (int k = 0; k < g.grads().size(); k++) {
        if (split > 0 && k == split) {
          OptimizerState saved = opt.state();
          opt.close();
          opt = new AdamWBf16(g.settings(wd), seed);
          opt.restore(saved, ps.trainable());
          assertEquals(Map.of("w", (long) split), opt.state().steps());
        }
        OptimGolden.setGrad(ps.get("w"), g.grads().get(k));
        opt.step(ps.trainable(), g.lr());
      }
      opt.close();
      return ps.get("w").value().toFloats();
    }
  }
}
