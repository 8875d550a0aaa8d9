package org.cascadetuner.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.ParameterStore;
import org.junit.jupiter.api.Test;

/** clip_grad_norm_ on a case worked by hand: gradients (3, 4) and (12) have the global norm 13. */
class GradientClippingTest {
  final Backend be = Backends.get("cpu");

  ParameterStore store() {
    ParameterStore ps = new ParameterStore(be, null, n -> !n.equals("frozen"), "test");
    ps.add("a", be.zeros(2)).accumulate(be.fromFloats(new float[] {3, 4}, 2));
    ps.add("b", be.zeros(1, 1)).accumulate(be.fromFloats(new float[] {12}, 1, 1));
    ps.add("frozen", be.fromFloats(new float[] {100}, 1)); // no gradient: not part of the norm
    return ps;
  }

  @Test
  void aboveTheLimitEveryGradientIsScaledByMaxOverNormPlusEpsilon() {
    try (ParameterStore ps = store()) {
      double norm = GradientClipping.clipGradNorm(java.util.List.copyOf(ps.all()), 6.5);
      assertEquals(13.0, norm, 1e-12);
      float coef = 6.5f / (13f + 1e-6f); // torch: max_norm / (total_norm + 1e-6), float32
      assertTrue(coef < 0.5f, "the epsilon makes the factor fall just short of 1/2");
      assertArrayEquals(new float[] {3 * coef, 4 * coef}, ps.get("a").grad().toFloats());
      assertArrayEquals(new float[] {12 * coef}, ps.get("b").grad().toFloats());
      assertEquals(6.5, GradientClipping.gradNorm(ps.trainable()), 1e-5, "the clipped norm is max_norm");
    }
  }

  @Test
  void belowTheLimitNothingChanges() {
    try (ParameterStore ps = store()) {
      assertEquals(13.0, GradientClipping.clipGradNorm(ps.trainable(), 13.5), 1e-12);
      assertArrayEquals(new float[] {3, 4}, ps.get("a").grad().toFloats());
      assertArrayEquals(new float[] {12}, ps.get("b").grad().toFloats());
      // exactly at the limit the epsilon keeps the factor below 1: torch scales by 13/(13 + 1e-6) then
      GradientClipping.clipGradNorm(ps.trainable(), 13.0);
      float coef = 13f / (13f + 1e-6f);
      assertArrayEquals(new float[] {12 * coef}, ps.get("b").grad().toFloats());
    }
  }

  @Test
  void aNonFiniteNormIsReportedAndTheGradientsKept() {
    try (ParameterStore ps = store()) {
      ps.get("a").accumulate(be.fromFloats(new float[] {Float.NaN, 0}, 2));
      double norm = GradientClipping.clipGradNorm(ps.trainable(), 1.0);
      assertTrue(Double.isNaN(norm), "norm " + norm);
      assertArrayEquals(new float[] {12}, ps.get("b").grad().toFloats());
    }
    try (ParameterStore ps = store()) {
      ps.get("b").accumulate(be.fromFloats(new float[] {Float.POSITIVE_INFINITY}, 1, 1));
      assertEquals(Double.POSITIVE_INFINITY, GradientClipping.clipGradNorm(ps.trainable(), 1.0));
      assertArrayEquals(new float[] {3, 4}, ps.get("a").grad().toFloats());
    }
    assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGradNorm(java.util.List.of(), 0));
  }
}
