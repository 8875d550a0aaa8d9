package org.cascadetuner.trainer.optim;

import java.util.List;
import org.cascadetuner.common.nn.Parameter;

/**
 * {@code torch.nn.utils.clip_grad_norm_} with the 2-norm: the global norm over every trainable gradient, then every
 * gradient scaled by {@code min(1, maxNorm / (norm + 1e-6))} (in float32, as torch does). The norm is accumulated in
 * double ({@code Backend.sumOfSquares}) where torch stacks per-tensor float32 norms; the two agree to float32
 * rounding. A non-finite norm (a NaN or ∞ gradient) leaves the gradients as they are, where torch would scale them
 * by NaN or 0: either way the update must be skipped, and the caller decides that from the returned norm.
 */
public final class GradientClipping {
  private GradientClipping() {}

  /** torch's guard against division by zero. */
  public static final float EPS = 1e-6f;

  /** The global 2-norm of the trainable gradients. */
  public static double gradNorm(List<Parameter> params) {
    double sum = 0;
    for (Parameter p : params) if (p.trainable()) sum += p.grad().backend().sumOfSquares(p.grad());
    return Math.sqrt(sum);
  }

  /**
   * Clips in place to {@code maxNorm} ({@code max_grad_norm}) and returns the norm before clipping.
   */
  public static double clipGradNorm(List<Parameter> params, double maxNorm) {
    if (!(maxNorm > 0)) throw new IllegalArgumentException("max_grad_norm is " + maxNorm
        + "; it must be > 0 (leave clipping off instead of setting 0)");
    double norm = gradNorm(params);
    if (!Double.isFinite(norm)) return norm;
    float total = (float) norm;
    float coef = (float) maxNorm / (total + EPS);
    if (coef < 1f) {
      for (Parameter p : params) if (p.trainable()) p.grad().backend().scaleInPlace(p.grad(), coef);
    }
    return norm;
  }
}
