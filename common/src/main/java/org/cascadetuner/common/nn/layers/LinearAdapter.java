package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * A trainable addition to a {@link Linear}'s output (LoRA: {@code scale·B·A·x}), attached by name after the model is
 * built, so model code never changes for adapters. {@code forward} returns the delta to add to the base output;
 * {@code backward} receives the same dy as the base and returns its contribution to dL/dx. Both use the model's tape
 * (the adapter's records sit above the base layer's).
 */
public interface LinearAdapter {

  Tensor forward(Tensor x, Tape tape);

  Tensor backward(Tensor dy, Tape tape);
}
