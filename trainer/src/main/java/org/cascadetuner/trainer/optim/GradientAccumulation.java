package org.cascadetuner.trainer.optim;

import java.util.List;
import org.cascadetuner.common.nn.Parameter;

/**
 * {@code gradient_accumulation_steps}: micro-batches add their gradients into the parameters' buffers
 * ({@code Parameter.accumulate}); every {@code steps}-th micro-batch completes an optimizer update, after which the
 * buffers are cleared. The 1/steps loss scale is applied by the objective ({@code Gdf.loss}), as Stable Cascade does.
 */
public record GradientAccumulation(int steps) {

  public GradientAccumulation {
    if (steps < 1) throw new IllegalArgumentException("gradient_accumulation_steps is " + steps + "; it must be >= 1");
  }

  /** Whether micro-batch {@code microStep} (1, 2, ...) completes an update. */
  public boolean completesUpdate(long microStep) {
    requirePositive(microStep);
    return microStep % steps == 0;
  }

  /** The update (1, 2, ...) micro-batch {@code microStep} contributes to. */
  public long updateOf(long microStep) {
    requirePositive(microStep);
    return (microStep - 1) / steps + 1;
  }

  /** Micro-batches needed for {@code updates} optimizer updates. */
  public long microSteps(long updates) {
    return Math.multiplyExact(updates, (long) steps);
  }

  /** Clears the trainable gradients after an update. */
  public static void zeroGrads(List<Parameter> params) {
    for (Parameter p : params) if (p.trainable()) p.grad().backend().fill(p.grad(), 0f);
  }

  private static void requirePositive(long microStep) {
    if (microStep < 1) throw new IllegalArgumentException("micro-step " + microStep + " (counted from 1)");
  }
}
