package org.cascadetuner.common.diffusion;

/**
 * GDF's per-sample loss weight as a function of logSNR: {@link P2LossWeight} (Stage C's default, stateless) or
 * {@link AdaptiveLossWeight} (the 3B fine-tune configs; it learns from the losses it sees).
 */
public sealed interface LossWeight permits P2LossWeight, AdaptiveLossWeight {

  /** The weight of each sample. */
  float[] weights(float[] logSnr);

  /**
   * The weights under a loss shift: GDF's {@code BaseLossWeight} evaluates them at {@code logSNR + 2·ln(shift)}
   * when the shift is not 1 (Stage C trains with loss_shift 1).
   */
  default float[] weights(float[] logSnr, double shift) {
    if (!(shift > 0)) throw new IllegalArgumentException("loss shift is " + shift + "; it must be > 0");
    if (shift == 1) return weights(logSnr);
    float add = (float) (2 * Math.log(shift));
    float[] shifted = new float[logSnr.length];
    for (int i = 0; i < shifted.length; i++) shifted[i] = logSnr[i] + add;
    return weights(shifted);
  }
}
