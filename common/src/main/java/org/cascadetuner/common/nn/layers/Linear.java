package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/** {@code y = x·Wᵀ + b} on the last axis; W [out, in] as PyTorch stores it. */
public final class Linear implements Layer {
  private final Parameter weight;
  private final Parameter bias;

  public Linear(Parameter weight, Parameter bias) {
    this.weight = weight;
    this.bias = bias;
  }

  /** {@code <prefix>.weight} [out, in] and, when {@code withBias}, {@code <prefix>.bias} [out]. */
  public static Linear load(ParameterStore store, String prefix, long in, long out, boolean withBias) {
    return new Linear(store.load(prefix + ".weight", out, in), withBias ? store.load(prefix + ".bias", out) : null);
  }

  public Parameter weight() {
    return weight;
  }

  public Parameter bias() {
    return bias;
  }

  public long in() {
    return weight.shape()[1];
  }

  public long out() {
    return weight.shape()[0];
  }

  /** The input, for the weight gradient (null when the weight is frozen). */
  record Input(Tensor x) implements Saved {
    @Override
    public long bytes() {
      return Saved.bytesOf(x);
    }

    @Override
    public void close() {
      Saved.closeAll(x);
    }
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    Tensor y = x.backend().linear(x, weight.value(), bias == null ? null : bias.value());
    // a frozen weight needs no input for its gradient: nothing is kept (dx needs only W)
    if (tape.isRecording()) tape.push(new Input(weight.trainable() ? x.retain() : null));
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Input s = tape.pop(Input.class); Tensor dy2 = be.reshape(dy, -1, out())) {
      if (weight.trainable()) {
        try (Tensor x2 = be.reshape(s.x(), -1, in())) {
          be.gemm(weight.grad(), dy2, x2, true, false, 1f, 1f); // dW += dyᵀ·x
        }
      }
      if (bias != null && bias.trainable()) {
        try (Tensor db = be.sum(dy2, false, 0)) {
          bias.accumulate(db);
        }
      }
      return be.matmul(dy, weight.value(), false, false); // dx = dy·W
    }
  }
}
