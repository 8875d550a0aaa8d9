package org.cascadetuner.common.diffusion;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * The standard normal noise a sampler adds at step i (0-based): replayed from stored tensors in tests, drawn from
 * the seeded generator in production. Returns a new tensor the sampler closes.
 */
@FunctionalInterface
public interface StepNoise {

  Tensor noise(int step, long[] shape);

  /** Noise of step i is the draw {@code SeededNoise.key(seed, i)}. */
  static StepNoise seeded(Backend backend, long seed) {
    return (step, shape) -> SeededNoise.gaussian(backend, SeededNoise.key(seed, step), shape);
  }
}
