package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Conv2dSpec;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * Transposed 2-D convolution (torch ConvTranspose2d, groups 1), weight [in, out, kh, kw] as PyTorch stores it.
 * Output side (H−1)·stride − 2·padding + k + outputPadding. Computed as the input gradient of the convolution that
 * maps the output back to the input, so it needs no op of its own.
 */
public final class ConvTranspose2d implements Layer {
  private final Parameter weight;
  private final Parameter bias;
  private final Conv2dSpec spec;
  private final int outputPadding;

  public ConvTranspose2d(Parameter weight, Parameter bias, Conv2dSpec spec, int outputPadding) {
    if (spec.groups() != 1) throw new IllegalArgumentException("grouped transposed convolutions are not supported");
    if (outputPadding >= Math.max(spec.strideH(), spec.strideW()))
      throw new IllegalArgumentException("output padding " + outputPadding + " must be smaller than the stride");
    this.weight = weight;
    this.bias = bias;
    this.spec = spec;
    this.outputPadding = outputPadding;
  }

  public static ConvTranspose2d load(ParameterStore store, String prefix, long in, long out, int kernel,
      Conv2dSpec spec, boolean withBias) {
    Parameter w = store.load(prefix + ".weight", in, out, kernel, kernel);
    return new ConvTranspose2d(w, withBias ? store.load(prefix + ".bias", out) : null, spec, 0);
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

  public long[] outputShape(long[] in) {
    long kh = weight.shape()[2], kw = weight.shape()[3];
    return new long[] {in[0], weight.shape()[1],
        (in[2] - 1) * spec.strideH() - 2L * spec.padH() + spec.dilationH() * (kh - 1) + 1 + outputPadding,
        (in[3] - 1) * spec.strideW() - 2L * spec.padW() + spec.dilationW() * (kw - 1) + 1 + outputPadding};
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    Tensor y = x.backend().convTranspose2d(x, weight.value(), bias == null ? null : bias.value(), spec, outputPadding);
    if (tape.isRecording()) tape.push(new Input(weight.trainable() ? x.retain() : null));
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Input s = tape.pop(Input.class)) {
      if (bias != null && bias.trainable()) {
        try (Tensor db = be.sum(dy, false, 0, 2, 3)) {
          bias.accumulate(db);
        }
      }
      if (weight.trainable()) {
        // the forward is conv2d's input gradient with dy := x; its weight gradient is conv2d's with input := dy
        Backend.ConvGrads g = be.conv2dBackward(s.x(), dy, weight.value(), spec, false, true, false);
        weight.accumulate(g.dw());
        g.dw().close();
      }
      return be.conv2d(dy, weight.value(), null, spec);
    }
  }
}
