package org.cascadetuner.trainer.schedule;

/**
 * The decay of the exponential moving average of the trained weights, as a pure function of the update count, and
 * the per-element update rule the backend's EMA operation implements:
 * {@code ema = ema * decay + param * (1 - decay)}, both factors rounded to float32 first (torch's
 * {@code ema.mul_(d).add_(param, alpha=1 - d)} on float32 tensors). The EMA starts as a copy of the initial weights.
 *
 * <p>{@code update} is 1-based: the first EMA update after the first optimizer step is update 1 (diffusers'
 * {@code EMAModel.optimization_step} after its increment).
 */
public sealed interface EmaSchedule {

  /** The decay used by EMA update number {@code update} (1, 2, ...). */
  double decay(long update);

  /** One element of one EMA update, in float32 as the reference does it. */
  static float step(float ema, float param, double decay) {
    return ema * (float) decay + param * (float) (1.0 - decay);
  }

  /** The same decay for every update, from the first: the rule the optim golden's EMA trajectory pins down. */
  record Fixed(double decay) implements EmaSchedule {
    public Fixed {
      requireDecay("ema_decay", decay);
    }

    @Override
    public double decay(long update) {
      return decay;
    }
  }

  /**
   * diffusers' {@code EMAModel.get_decay} (SimpleTuner's EMAModel has the same rule). With
   * {@code s = max(0, update - updateAfterStep - 1)}: decay 0 (the EMA copies the weights) while {@code s == 0};
   * then {@code 1 - (1 + s / invGamma)^-power} when {@code useEmaWarmup}, else {@code (1 + s) / (10 + s)}; clamped
   * to [minDecay, maxDecay].
   *
   * @param maxDecay the {@code decay} argument (diffusers 0.9999; SimpleTuner's {@code ema_decay})
   */
  record EmaModel(double maxDecay, double minDecay, long updateAfterStep, boolean useEmaWarmup, double invGamma,
      double power) implements EmaSchedule {
    public EmaModel {
      requireDecay("ema_decay", maxDecay);
      requireDecay("ema_min_decay", minDecay);
      if (minDecay > maxDecay) {
        throw new IllegalArgumentException("ema_min_decay (" + minDecay + ") is above ema_decay (" + maxDecay + ")");
      }
      if (updateAfterStep < 0) {
        throw new IllegalArgumentException("ema update_after_step is " + updateAfterStep + "; it must be 0 or more");
      }
      if (useEmaWarmup && !(invGamma > 0 && power > 0)) {
        throw new IllegalArgumentException("EMA warm-up needs inv_gamma > 0 and power > 0; got inv_gamma " + invGamma
            + ", power " + power);
      }
    }

    /** diffusers' defaults (decay 0.9999, min 0, no delay, no power warm-up, inv_gamma 1, power 2/3) with a given decay. */
    public static EmaModel withDecay(double decay) {
      return new EmaModel(decay, 0.0, 0, false, 1.0, 2.0 / 3.0);
    }

    @Override
    public double decay(long update) {
      long s = Math.max(0, update - updateAfterStep - 1);
      if (s <= 0) return 0.0;
      double d = useEmaWarmup ? 1 - Math.pow(1 + s / invGamma, -power) : (1.0 + s) / (10.0 + s);
      d = Math.min(d, maxDecay);
      return Math.max(d, minDecay);
    }
  }

  private static void requireDecay(String key, double decay) {
    if (!(decay >= 0 && decay <= 1)) {
      throw new IllegalArgumentException(key + " is " + decay + "; a decay lies in [0, 1]");
    }
  }
}
