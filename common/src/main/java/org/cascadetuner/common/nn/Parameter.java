package org.cascadetuner.common.nn;

/**
 * A named weight. Trainable parameters carry a gradient buffer of the same shape (zeros until a backward adds to it);
 * frozen ones have none, and layers skip their weight gradients entirely.
 */
public final class Parameter implements AutoCloseable {
  private final String name;
  private Tensor value;
  private final Tensor grad;

  Parameter(String name, Tensor value, boolean trainable) {
    this.name = name;
    this.value = value;
    this.grad = trainable ? value.backend().zeros(value.shape()) : null;
  }

  /** The checkpoint's name, e.g. {@code text_model.encoder.layers.0.mlp.fc1.weight}. */
  public String name() {
    return name;
  }

  public Tensor value() {
    return value;
  }

  public long[] shape() {
    return value.shape();
  }

  public boolean trainable() {
    return grad != null;
  }

  /** The gradient buffer; null for a frozen parameter. */
  public Tensor grad() {
    return grad;
  }

  /** {@code grad += g}, when trainable. */
  public void accumulate(Tensor g) {
    if (grad != null) value.backend().addInPlace(grad, g);
  }

  /** Replaces the value with a tensor of the same shape (e.g. averaged weights); the old one is closed. */
  public void replace(Tensor v) {
    if (!java.util.Arrays.equals(v.shape(), value.shape()))
      throw new IllegalArgumentException(name + ": new value " + Tensor.describe(v.shape()) + " does not match "
          + Tensor.describe(value.shape()));
    value.close();
    value = v;
  }

  @Override
  public void close() {
    value.close();
    if (grad != null) grad.close();
  }

  @Override
  public String toString() {
    return name + Tensor.describe(value.shape()) + (trainable() ? " trainable" : " frozen");
  }
}
