package org.cascadetuner.common.diffusion;

/**
 * GDF's {@code CosineTNoiseCond}: the {@code r} Stage C is conditioned on, recovered from logSNR by inverting the
 * cosine schedule: {@code v = clamp(sigmoid(logSNR), 0, 1)}, {@code r = acos(sqrt(v·minVar))/(π/2)·(1 + s) − s},
 * clamped to [0, 1]. It equals t except where the schedule's variance clamp was active (t = 1 gives 0.9935832).
 *
 * @param s the schedule offset it inverts (0.008)
 */
public record CosineTNoiseCond(float s) {

  public static CosineTNoiseCond stageC() {
    return new CosineTNoiseCond(0.008f);
  }

  public float[] r(float[] logSnr) {
    float c = F32.cos(s / (1f + s) * F32.PI * 0.5f);
    float minVar = c * c;
    float halfPi = (float) (Math.PI * 0.5); // torch: tensor / (torch.pi * 0.5), the divisor a Python double
    float[] out = new float[logSnr.length];
    for (int i = 0; i < out.length; i++) {
      float v = F32.clamp(F32.sigmoid(logSnr[i]), 0f, 1f);
      float t = F32.acos(F32.sqrt(v * minVar)) / halfPi * (1f + s) - s;
      out[i] = F32.clamp(t, 0f, 1f);
    }
    return out;
  }
}
