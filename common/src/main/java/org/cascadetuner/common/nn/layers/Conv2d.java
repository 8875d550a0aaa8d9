package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Conv2dSpec;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/** 2-D convolution on NCHW, weight [out, in/groups, kh, kw] (depthwise: groups = in = out), optional bias. */
public final class Conv2d implements Layer {
  private final Parameter weight;
  private final Parameter bias;
  private final Conv2dSpec spec;

  public Conv2d(Parameter weight, Parameter bias, Conv2dSpec spec) {
    this.weight = weight;
    this.bias = bias;
    this.spec = spec;
  }

  /** {@code <prefix>.weight} [out, in/groups, k, k] and, when {@code withBias}, {@code <prefix>.bias} [out]. */
  public static Conv2d load(ParameterStore store, String prefix, long in, long out, int kernel, Conv2dSpec spec,
      boolean withBias) {
    Parameter w = store.load(prefix + ".weight", out, in / spec.groups(), kernel, kernel);
    return new Conv2d(w, withBias ? store.load(prefix + ".bias", out) : null, spec);
  }

  public Parameter weight() {
    return weight;
  }

  public Parameter bias() {
    return bias;
  }

  public Conv2dSpec spec() {
    return spec;
  }

  /** The input when the weight needs its gradient, else only the input's shape. */
  record Input(Tensor x, long[] shape) implements Saved {
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
    Tensor y = x.backend().conv2d(x, weight.value(), bias == null ? null : bias.value(), spec);
    if (tape.isRecording()) tape.push(new Input(weight.trainable() ? x.retain() : null, x.shape()));
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Input s = tape.pop(Input.class)) {
      boolean needBias = bias != null && bias.trainable();
      if (!weight.trainable()) {
        if (needBias) accumulateBias(be, dy);
        return be.conv2dBackwardInput(dy, weight.value(), s.shape(), spec);
      }
      Backend.ConvGrads g = be.conv2dBackward(dy, s.x(), weight.value(), spec, true, true, needBias);
      weight.accumulate(g.dw());
      g.dw().close();
      if (g.db() != null) {
        bias.accumulate(g.db());
        g.db().close();
      }
      return g.dx();
    }
  }

  private void accumulateBias(Backend be, Tensor dy) {
    try (Tensor db = be.sum(dy, false, 0, 2, 3)) {
      bias.accumulate(db);
    }
  }
}
