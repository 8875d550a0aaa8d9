package org.cascadetuner.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.ParameterStore;
import org.junit.jupiter.api.Test;

class GradientAccumulationTest {

  @Test
  void everyNthMicroStepCompletesAnUpdate() {
    GradientAccumulation acc = new GradientAccumulation(3);
    boolean[] want = {false, false, true, false, false, true, false};
    for (int m = 1; m <= want.length; m++) assertEquals(want[m - 1], acc.completesUpdate(m), "micro-step " + m);
    assertEquals(1, acc.updateOf(1));
    assertEquals(1, acc.updateOf(3));
    assertEquals(2, acc.updateOf(4));
    assertEquals(30, acc.microSteps(10));
    assertTrue(new GradientAccumulation(1).completesUpdate(1));
    assertThrows(IllegalArgumentException.class, () -> new GradientAccumulation(0));
    assertThrows(IllegalArgumentException.class, () -> acc.completesUpdate(0));
  }

  @Test
  void gradientsAddUpUntilCleared() {
    Backend be = Backends.get("cpu");
    try (ParameterStore ps = new ParameterStore(be, null, n -> true, "test")) {
      ps.add("w", be.zeros(2));
      ps.get("w").accumulate(be.fromFloats(new float[] {1, 2}, 2));
      ps.get("w").accumulate(be.fromFloats(new float[] {3, 4}, 2));
      assertArrayEquals(new float[] {4, 6}, ps.get("w").grad().toFloats());
      GradientAccumulation.zeroGrads(ps.trainable());
      assertArrayEquals(new float[] {0, 0}, ps.get("w").grad().toFloats());
      assertFalse(new GradientAccumulation(2).completesUpdate(1));
    }
  }
}
