package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * A 1×1 convolution on channels-last activations [..., in] → [..., out]: one GEMM with the checkpoint's weight
 * [out, in, 1, 1] read as [out, in] (embedding.1, clf.1, the level scalers and repeat mappers).
 */
public final class PointwiseConv implements Layer {
  private final Parameter weight;
  private final Parameter bias;
  private final long in;
  private final long out;

  public PointwiseConv(Parameter weight, Parameter bias, long in, long out) {
    this.weight = weight;
    this.bias = bias;
    this.in = in;
    this.out = out;
  }

  /** {@code <prefix>.weight} [out, in, 1, 1] and {@code <prefix>.bias} [out]. */
  public static PointwiseConv load(WeightLoader w, String prefix, long in, long out) {
    return new PointwiseConv(w.load(prefix + ".weight", out, in, 1, 1), w.load(prefix + ".bias", out), in, out);
  }

  public Parameter weight() {
    return weight;
  }

  public Parameter bias() {
    return bias;
  }

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
    Backend be = x.backend();
    try (Tensor w = be.reshape(weight.value(), out, in)) {
      Tensor y = be.linear(x, w, bias.value());
      if (tape.isRecording()) tape.push(new Input(weight.trainable() ? x.retain() : null));
      return y;
    }
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Input s = tape.pop(Input.class); Tensor dy2 = be.reshape(dy, -1, out);
        Tensor w = be.reshape(weight.value(), out, in)) {
      if (weight.trainable()) {
        try (Tensor x2 = be.reshape(s.x(), -1, in); Tensor g = be.reshape(weight.grad(), out, in)) {
          be.gemm(g, dy2, x2, true, false, 1f, 1f); // dW += dyᵀ·x
        }
      }
      if (bias.trainable()) {
        try (Tensor db = be.sum(dy2, false, 0)) {
          bias.accumulate(db);
        }
      }
      return be.matmul(dy, w, false, false);
    }
  }
}
