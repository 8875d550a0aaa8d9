package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.layers.Linear;

/**
 * Makes the model's Linear layers, given the module's name ({@code down_blocks.0.2.attention.to_q}); LoRA swaps in
 * adapted layers for its target modules (models/lora), everything else gets {@link #PLAIN}.
 */
@FunctionalInterface
public interface LinearBuilder {

  Layer linear(WeightLoader weights, String module, long in, long out, boolean bias);

  /** {@code <module>.weight} [out, in] and, with {@code bias}, {@code <module>.bias} [out]. */
  LinearBuilder PLAIN = LinearBuilder::plain;

  static Linear plain(WeightLoader weights, String module, long in, long out, boolean bias) {
    return new Linear(weights.load(module + ".weight", out, in), bias ? weights.load(module + ".bias", out) : null);
  }
}
