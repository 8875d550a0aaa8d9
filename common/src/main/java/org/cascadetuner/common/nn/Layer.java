package org.cascadetuner.common.nn;

/**
 * A layer of one input and one output. {@code forward} pushes what {@code backward} needs onto the tape (nothing on
 * {@link Tape#NONE}); {@code backward} pops it, adds the parameter gradients to the trainable parameters' buffers and
 * returns dL/dx. Both return new tensors the caller closes; neither closes its arguments.
 */
public interface Layer {

  Tensor forward(Tensor x, Tape tape);

  Tensor backward(Tensor dy, Tape tape);
}
