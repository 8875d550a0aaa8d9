package org.cascadetuner.common.diffusion;

/**
 * The P2 weighting of Choi et al. as GDF defines it: {@code w = (k + exp(logSNR·s))^−γ}. With k = γ = s = 1 (Stage
 * C) this is {@code 1/(1 + SNR) = 1 − ᾱ = b²}, which turns the ε-MSE into an x0-MSE-like weighting that favours
 * the noisy end.
 */
public record P2LossWeight(float k, float gamma, float s) implements LossWeight {

  public static P2LossWeight stageC() {
    return new P2LossWeight(1f, 1f, 1f);
  }

  @Override
  public float[] weights(float[] logSnr) {
    float[] w = new float[logSnr.length];
    for (int i = 0; i < w.length; i++) w[i] = F32.pow(k + F32.exp(logSnr[i] * s), -(double) gamma);
    return w;
  }
}
