package org.cascadetuner.common.diffusion;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * Counter-based random numbers: element i of the draw named by {@code key} is a pure function of (key, i), so a
 * resumed run, a retried Spark task or another worker count draws exactly the same numbers without carrying
 * generator state. A key is built from the run's seed and whatever names the draw ({@link #key}: e.g. seed, purpose,
 * step, worker).
 *
 * <p>Bits: SplitMix64's output function applied to {@code key + (counter + 1)·0x9E3779B97F4A7C15}. Uniform floats in
 * [0, 1) take the top 24 bits (torch.rand's resolution). Normals use Box–Muller on two 53-bit uniforms (counters 2i
 * and 2i + 1): {@code z = sqrt(−2·ln u1)·cos(2π·u2)}, u1 ∈ (0, 1], computed in double and rounded to float.
 */
public final class SeededNoise {
  private SeededNoise() {}

  private static final long GAMMA = 0x9E3779B97F4A7C15L;

  /** SplitMix64's finaliser (Stafford's mix 13). */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The 64 random bits at {@code counter} of the draw {@code key}. */
  public static long bits(long key, long counter) {
    return mix64(key + (counter + 1) * GAMMA);
  }

  /** A draw's key from its parts (seed first, then e.g. a purpose tag, the step, the worker), order-sensitive. */
  public static long key(long... parts) {
    long h = 0;
    for (long p : parts) h = mix64((h + GAMMA) ^ p);
    return h;
  }

  /** {@code n} uniform floats in [0, 1). */
  public static float[] uniform(long key, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) out[i] = (bits(key, i) >>> 40) * 0x1p-24f;
    return out;
  }

  /** {@code n} standard normal floats. */
  public static float[] gaussian(long key, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      double u1 = ((bits(key, 2L * i) >>> 11) + 1) * 0x1p-53;
      double u2 = (bits(key, 2L * i + 1) >>> 11) * 0x1p-53;
      out[i] = (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return out;
  }

  /** A standard normal tensor of {@code shape}. */
  public static Tensor gaussian(Backend backend, long key, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return backend.fromFloats(gaussian(key, Math.toIntExact(n)), shape);
  }
}
