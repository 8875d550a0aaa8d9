package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Conv2dSpec;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * The ResBlock's depthwise k×k convolution (groups = channels, stride 1, zero padding k/2) on channels-last
 * activations [B, H, W, C]; weight [C, 1, k, k] as PyTorch stores it, bias [C].
 */
public final class DepthwiseConv implements Layer {
  private final Parameter weight;
  private final Parameter bias;
  private final Conv2dSpec spec;

  public DepthwiseConv(Parameter weight, Parameter bias, long channels, int kernel) {
    this.weight = weight;
    this.bias = bias;
    this.spec = Conv2dSpec.of(1, kernel / 2, Math.toIntExact(channels));
  }

  public static DepthwiseConv load(WeightLoader w, String prefix, long channels, int kernel) {
    return new DepthwiseConv(w.load(prefix + ".weight", channels, 1, kernel, kernel), w.load(prefix + ".bias", channels),
        channels, kernel);
  }

  /** The input; its gradient needs it even when the weight is frozen (libnd4j's backward reads it). */
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
    Tensor y = x.backend().conv2dNhwc(x, weight.value(), bias.value(), spec);
    if (tape.isRecording()) tape.push(new Input(x.retain()));
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Input s = tape.pop(Input.class)) {
      Backend.ConvGrads g = be.conv2dNhwcBackward(dy, s.x(), weight.value(), spec, true, weight.trainable(),
          bias.trainable());
      if (g.dw() != null) {
        weight.accumulate(g.dw());
        g.dw().close();
      }
      if (g.db() != null) {
        bias.accumulate(g.db());
        g.db().close();
      }
      return g.dx();
    }
  }
}
