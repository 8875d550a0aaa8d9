package org.cascadetuner.common.nn;

/** Interpolation matrices for separable resizes (small host-side tables, built once per resize call). */
public final class Interpolation {
  private Interpolation() {}

  /**
   * The [out, in] matrix of linear interpolation with align_corners=True, as torch computes it: scale = (in−1)/(out−1)
   * in float32 (0 when out = 1), src = scale·o, i0 = ⌊src⌋, i1 = min(i0+1, in−1), λ = src − i0.
   */
  public static float[] alignCorners(int in, int out) {
    float[] m = new float[out * in];
    float scale = out > 1 ? (float) (in - 1) / (float) (out - 1) : 0f;
    for (int o = 0; o < out; o++) {
      float src = scale * o;
      int i0 = Math.min((int) Math.floor(src), in - 1);
      int i1 = Math.min(i0 + 1, in - 1);
      float lambda = src - i0;
      m[o * in + i0] += 1f - lambda;
      m[o * in + i1] += lambda;
    }
    return m;
  }
}
