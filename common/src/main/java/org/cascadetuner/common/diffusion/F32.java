package org.cascadetuner.common.diffusion;

/**
 * Per-sample scalar math in float32, operation by operation as PyTorch evaluates it on float32 tensors: every
 * intermediate is rounded to float, Python scalars meet a tensor as floats, transcendental functions are rounded
 * from double (correctly rounded except within about 1e-9 ulp of a tie; PyTorch's SLEEF kernels are within 1 ulp, so
 * a rare value differs by one ulp, e.g. ᾱ(0.9) of the scheduler golden).
 */
final class F32 {
  private F32() {}

  /** {@code float(math.pi)}: what {@code tensor * torch.pi} multiplies by. */
  static final float PI = (float) Math.PI;

  static float cos(float x) {
    return (float) StrictMath.cos(x);
  }

  static float acos(float x) {
    return (float) StrictMath.acos(x);
  }

  static float log(float x) {
    return (float) StrictMath.log(x);
  }

  static float exp(float x) {
    return (float) StrictMath.exp(x);
  }

  static float sqrt(float x) {
    return (float) Math.sqrt(x); // IEEE sqrt rounded once from double is exact float sqrt
  }

  /** {@code torch.sigmoid} on float32: {@code 1 / (1 + exp(−x))}. */
  static float sigmoid(float x) {
    return 1f / (1f + exp(-x));
  }

  /** {@code tensor.clamp(lo, hi)} (NaN stays NaN). */
  static float clamp(float x, float lo, float hi) {
    return x < lo ? lo : (x > hi ? hi : x);
  }

  /** {@code x ** p} for a Python-float exponent: torch computes 2 as x·x, 0.5 as sqrt, −1 as 1/x, else powf. */
  static float pow(float x, double p) {
    if (p == 2) return x * x;
    if (p == 0.5) return sqrt(x);
    if (p == -1) return 1f / x;
    if (p == 1) return x;
    return (float) StrictMath.pow(x, (float) p);
  }

  /**
   * {@code torch.linspace(start, end, steps)} in float32 as its CPU kernel defines each element: {@code start +
   * step·i} for the first half, {@code end − step·(steps − 1 − i)} for the second, {@code step = (end − start)/(steps
   * − 1)} in float. (The kernel's SIMD path adds {@code j·step} to a per-vector base instead, which moves a few values
   * by one ulp depending on the vector width; the goldens were made with 4-lane vectors.)
   */
  static float[] linspace(float start, float end, int steps) {
    if (steps < 1) throw new IllegalArgumentException("linspace needs at least one step, got " + steps);
    float[] out = new float[steps];
    if (steps == 1) {
      out[0] = start;
      return out;
    }
    float step = (end - start) / (steps - 1);
    int half = steps / 2;
    for (int i = 0; i < steps; i++) out[i] = i < half ? start + step * i : end - step * (steps - i - 1);
    return out;
  }
}
