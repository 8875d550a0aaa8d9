package org.cascadetuner.common.diffusion;

/**
 * GDF's variance-preserving input scaler: {@code a = sqrt(sigmoid(logSNR))}, {@code b = sqrt(1 − sigmoid(logSNR))},
 * so {@code noised = a·x0 + b·ε} has unit variance for unit-variance x0 and a² = ᾱ.
 */
public final class VpScaler {
  private VpScaler() {}

  /** Per-sample signal and noise factors. */
  public record Scales(float[] a, float[] b) {}

  public static Scales scales(float[] logSnr) {
    float[] a = new float[logSnr.length], b = new float[logSnr.length];
    for (int i = 0; i < logSnr.length; i++) {
      float a2 = F32.sigmoid(logSnr[i]);
      a[i] = F32.sqrt(a2);
      b[i] = F32.sqrt(1f - a2);
    }
    return new Scales(a, b);
  }
}
