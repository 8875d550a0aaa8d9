package org.cascadetuner.common.models.stagec;

import java.util.Arrays;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * {@code mean((out − target)²)} and its gradient {@code 2·(out − target)/N}: the goldens' gradient loss (and the
 * plain ε-MSE of training). The loss is summed in double.
 */
public record MeanSquaredError(float loss, Tensor gradient) implements AutoCloseable {

  public static MeanSquaredError of(Tensor out, Tensor target) {
    if (!Arrays.equals(out.shape(), target.shape()))
      throw new IllegalArgumentException("target has shape " + Arrays.toString(target.shape()) + " but the output "
          + Arrays.toString(out.shape()));
    Backend be = out.backend();
    long n = out.numel();
    Tensor diff = be.sub(out, target);
    float loss = (float) (be.sumOfSquares(diff) / n);
    be.scaleInPlace(diff, 2f / n);
    return new MeanSquaredError(loss, diff);
  }

  @Override
  public void close() {
    gradient.close();
  }
}
