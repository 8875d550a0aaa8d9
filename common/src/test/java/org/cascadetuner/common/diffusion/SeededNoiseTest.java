package org.cascadetuner.common.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Tensor;
import org.junit.jupiter.api.Test;

/** The counter-based generator: pure in (key, index), distinct keys independent, the right distributions. */
class SeededNoiseTest {

  @Test
  void aDrawIsAPureFunctionOfItsKeyAndIndex() {
    long k = SeededNoise.key(42, 3, 17);
    assertArrayEquals(SeededNoise.gaussian(k, 1000), SeededNoise.gaussian(k, 1000));
    // a prefix of a longer draw is the shorter draw: element i does not depend on the length
    assertArrayEquals(SeededNoise.gaussian(k, 10), Arrays.copyOf(SeededNoise.gaussian(k, 1000), 10));
    assertFalse(Arrays.equals(SeededNoise.gaussian(k, 10), SeededNoise.gaussian(SeededNoise.key(42, 3, 18), 10)));
    assertFalse(Arrays.equals(SeededNoise.gaussian(SeededNoise.key(1, 2), 10),
        SeededNoise.gaussian(SeededNoise.key(2, 1), 10)), "key parts are ordered");
    try (Tensor t = SeededNoise.gaussian(Backends.get("cpu"), k, 2, 5, 100)) {
      assertArrayEquals(new long[] {2, 5, 100}, t.shape());
      assertArrayEquals(SeededNoise.gaussian(k, 1000), t.toFloats());
    }
  }

  @Test
  void gaussianMoments() {
    int n = 1 << 20;
    float[] z = SeededNoise.gaussian(SeededNoise.key(7), n);
    double m1 = 0, m2 = 0, m4 = 0;
    int beyond3 = 0;
    for (float v : z) {
      m1 += v;
      m2 += (double) v * v;
      m4 += (double) v * v * v * v;
      if (Math.abs(v) > 3) beyond3++;
    }
    m1 /= n;
    m2 /= n;
    m4 /= n;
    // standard errors: mean 1/sqrt(n) ≈ 1e-3, variance sqrt(2/n) ≈ 1.4e-3, fourth moment sqrt(96/n) ≈ 1e-2
    assertEquals(0, m1, 5e-3, "mean");
    assertEquals(1, m2, 7e-3, "variance");
    assertEquals(3, m4, 5e-2, "fourth moment");
    // P(|z| > 3) = 0.0026998
    assertEquals(0.0026998 * n, beyond3, 5 * Math.sqrt(0.0027 * n), "tail mass beyond 3σ");
  }

  @Test
  void uniformIsInTheUnitIntervalAndFlat() {
    int n = 1 << 20;
    float[] u = SeededNoise.uniform(SeededNoise.key(9), n);
    int[] hist = new int[16];
    for (float v : u) {
      assertTrue(v >= 0f && v < 1f, "uniform " + v);
      hist[(int) (v * 16)]++;
    }
    double expected = n / 16.0, sd = Math.sqrt(expected);
    for (int b = 0; b < 16; b++) assertEquals(expected, hist[b], 5 * sd, "bin " + b);
  }
}
