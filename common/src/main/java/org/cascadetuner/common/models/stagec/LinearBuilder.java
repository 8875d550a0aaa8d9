package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.layers.Linear;

/**
 * Makes a block's Linear layers, given the module's name ({@code down_blocks.0.2.attention.to_q}); the model's own
 * builder also records them by name ({@link StableCascadeUNet#linears()}), where adapters attach.
 */
@FunctionalInterface
public interface LinearBuilder {

  Linear linear(WeightLoader weights, String module, long in, long out, boolean bias);

  /** {@code <module>.weight} [out, in] and, with {@code bias}, {@code <module>.bias} [out]. */
  LinearBuilder PLAIN = LinearBuilder::plain;

  static Linear plain(WeightLoader weights, String module, long in, long out, boolean bias) {
    return new Linear(weights.load(module + ".weight", out, in), bias ? weights.load(module + ".bias", out) : null);
  }
}
