package org.cascadetuner.common.diffusion;

/**
 * Stable Cascade's GDF {@code CosineSchedule}: t ∈ [0, 1] → logSNR (spec stage-c-architecture.md §4.1 step 2).
 * {@code var = clamp(cos((s + t)/(1 + s)·π/2), 0, 1)² / minVar}, clamped to [clampMin, clampMax],
 * {@code logSNR = ln(var/(1 − var))}; a shift adds {@code 2·ln(1/shift)}; the result is clamped to the schedule's
 * limits {@code [logSNR(1), logSNR(0)]} (taken at shift 1, as GDF's {@code reset_limits} does at construction).
 *
 * @param s the offset (0.008)
 * @param clampMin lower clamp of the variance (1e-4)
 * @param clampMax upper clamp of the variance (0.9999)
 */
public record CosineSchedule(float s, float clampMin, float clampMax) {

  public CosineSchedule {
    if (!(s >= 0)) throw new IllegalArgumentException("cosine schedule offset s is " + s + "; it must be >= 0");
    if (!(clampMin > 0 && clampMin < clampMax && clampMax < 1))
      throw new IllegalArgumentException("cosine schedule clamp range [" + clampMin + ", " + clampMax
          + "] must satisfy 0 < min < max < 1 (Stable Cascade uses [1e-4, 0.9999])");
  }

  /** Stage C's schedule: {@code CosineSchedule(clamp_range=[0.0001, 0.9999])}, s = 0.008. */
  public static CosineSchedule stageC() {
    return new CosineSchedule(0.008f, 1e-4f, 0.9999f);
  }

  /** {@code cos(s/(1 + s)·π/2)²}: the variance at t = 0 before normalisation (0.99984455 for s = 0.008). */
  public float minVar() {
    float c = F32.cos(s / (1f + s) * F32.PI * 0.5f);
    return c * c;
  }

  /** logSNR at t without shift or limit clamp (the schedule proper). */
  float rawLogSnr(float t) {
    float c = F32.clamp(F32.cos((s + t) / (1f + s) * F32.PI * 0.5f), 0f, 1f);
    float var = F32.clamp(c * c / minVar(), clampMin, clampMax);
    return F32.log(var / (1f - var));
  }

  /** {@code [logSNR(t=1), logSNR(t=0)]}: the clamp applied after a shift. */
  public float[] limits() {
    return new float[] {rawLogSnr(1f), rawLogSnr(0f)};
  }

  /** logSNR of each t (clamped to [0, 1] first, as GDF does for given t), with {@code shift} (1 = none). */
  public float[] logSnr(float[] t, double shift) {
    if (!(shift > 0)) throw new IllegalArgumentException("schedule shift is " + shift + "; it must be > 0");
    float[] lim = limits();
    float add = (float) (2 * Math.log(1 / shift));
    float[] out = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      float l = rawLogSnr(F32.clamp(t[i], 0f, 1f));
      if (shift != 1) l += add;
      out[i] = F32.clamp(l, lim[0], lim[1]);
    }
    return out;
  }
}
