package org.cascadetuner.common.diffusion;

import org.cascadetuner.common.nn.Tensor;

/**
 * The denoiser a sampler calls: Stage C's forward (or anything with its contract, e.g. a test's ideal predictor).
 * Returns a new tensor of the sample's shape holding the predicted ε; arguments are not closed.
 */
@FunctionalInterface
public interface PriorModel {

  /**
   * @param sample latents [B, C, H, W]
   * @param r timestep ratios [B]
   * @param cond the conditioning, batched like {@code sample}
   */
  Tensor predict(Tensor sample, Tensor r, PriorConditioning cond);
}
