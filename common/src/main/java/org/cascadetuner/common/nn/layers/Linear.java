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
  private LinearAdapter adapter;

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

  /** The module name in the checkpoint, e.g. {@code down_blocks.0.2.attention.to_q} (the weight's name less ".weight"). */
  public String name() {
    String n = weight.name();
    return n.endsWith(".weight") ? n.substring(0, n.length() - ".weight".length()) : n;
  }

  /** Attaches (or, with null, removes) an adapter whose output is added to this layer's. */
  public void attach(LinearAdapter a) {
    this.adapter = a;
  }

  public LinearAdapter adapter() {
    return adapter;
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
    if (adapter != null) {
      try (Tensor delta = adapter.forward(x, tape)) {
        x.backend().addInPlace(y, delta);
      }
    }
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    Tensor dxAdapter = adapter == null ? null : adapter.backward(dy, tape); // its records are above ours
    try (Input s = tape.pop(Input.class); Tensor dy2 = be.reshape(dy, -1, out()); dxAdapter) {
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
      Tensor dx = be.matmul(dy, weight.value(), false, false); // dx = dy·W
      if (dxAdapter != null) be.addInPlace(dx, dxAdapter);
      return dx;
    }
  }
}
