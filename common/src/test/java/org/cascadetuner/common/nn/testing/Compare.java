package org.cascadetuner.common.nn.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cascadetuner.common.nn.Tensor;

/** Tensor comparisons with the tolerance the team uses: max|diff| / max|ref| (float32). */
public final class Compare {
  private Compare() {}

  public static double relativeError(float[] ref, float[] actual) {
    assertEquals(ref.length, actual.length, "element count");
    double maxDiff = 0, maxRef = 0;
    for (int i = 0; i < ref.length; i++) {
      if (Float.isNaN(actual[i])) return Double.POSITIVE_INFINITY;
      maxDiff = Math.max(maxDiff, Math.abs((double) ref[i] - actual[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    return maxRef == 0 ? maxDiff : maxDiff / maxRef;
  }

  public static void assertClose(String what, float[] ref, float[] actual, double tol) {
    double e = relativeError(ref, actual);
    assertTrue(e <= tol, what + ": relative error " + e + " > " + tol);
  }

  public static void assertClose(String what, float[] ref, Tensor actual, double tol) {
    assertClose(what, ref, actual.toFloats(), tol);
  }
}
