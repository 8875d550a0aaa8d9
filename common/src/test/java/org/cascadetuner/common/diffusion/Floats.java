package org.cascadetuner.common.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Element-wise comparisons of per-sample float32 values, reporting the distance in ulps and relative terms. */
final class Floats {
  private Floats() {}

  /** Distance in units in the last place of {@code ref}. */
  static double ulps(float ref, float actual) {
    if (ref == actual) return 0;
    return Math.abs((double) actual - ref) / Math.ulp(ref);
  }

  /**
   * Asserts every element within {@code relTol}·max(|ref|, floor) and prints the largest ulp and relative
   * distances, so the test log records the precision reached.
   */
  static void assertClose(String what, float[] ref, float[] actual, double relTol, double floor) {
    assertEquals(ref.length, actual.length, what + ": element count");
    double maxUlps = 0, maxRel = 0;
    for (int i = 0; i < ref.length; i++) {
      double rel = Math.abs((double) actual[i] - ref[i]) / Math.max(Math.abs(ref[i]), floor);
      assertTrue(rel <= relTol, what + "[" + i + "]: want " + ref[i] + ", got " + actual[i] + " (relative " + rel
          + " > " + relTol + ")");
      maxUlps = Math.max(maxUlps, ulps(ref[i], actual[i]));
      maxRel = Math.max(maxRel, rel);
    }
    System.out.printf("%-36s max %.1f ulp, max relative %.2e%n", what, maxUlps, maxRel);
  }
}
