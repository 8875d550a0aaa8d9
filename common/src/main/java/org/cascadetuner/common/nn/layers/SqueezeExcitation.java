package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Conv2dSpec;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * torchvision SqueezeExcitation as EfficientNet uses it: {@code s = σ(fc2(SiLU(fc1(avgpool(x)))))}, {@code y = x·s},
 * fc1/fc2 1×1 convolutions with bias (names {@code <prefix>.fc1}, {@code <prefix>.fc2}).
 */
public final class SqueezeExcitation implements Layer {
  private final Conv2d fc1;
  private final Conv2d fc2;
  private final Silu act = new Silu();

  public SqueezeExcitation(Conv2d fc1, Conv2d fc2) {
    this.fc1 = fc1;
    this.fc2 = fc2;
  }

  public static SqueezeExcitation load(ParameterStore store, String prefix, long channels, long squeezed) {
    return new SqueezeExcitation(Conv2d.load(store, prefix + ".fc1", channels, squeezed, 1, Conv2dSpec.of(1, 0), true),
        Conv2d.load(store, prefix + ".fc2", squeezed, channels, 1, Conv2dSpec.of(1, 0), true));
  }

  record Gate(Tensor x, Tensor s) implements Saved {
    @Override
    public long bytes() {
      return Saved.bytesOf(x, s);
    }

    @Override
    public void close() {
      Saved.closeAll(x, s);
    }
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    Backend be = x.backend();
    Tensor s;
    try (Tensor pooled = be.mean(x, true, 2, 3); Tensor h = fc1.forward(pooled, tape); Tensor a = act.forward(h, tape);
        Tensor z = fc2.forward(a, tape)) {
      s = be.sigmoid(z);
    }
    try (s) {
      if (tape.isRecording()) tape.push(new Gate(x.retain(), s.retain()));
      return be.mul(x, s);
    }
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Gate g = tape.pop(Gate.class)) {
      Tensor dx = be.mul(dy, g.s());
      long hw = dy.size(2) * dy.size(3);
      try (Tensor p = be.mul(dy, g.x()); Tensor ds = be.sum(p, true, 2, 3); Tensor dz = be.sigmoidBackward(g.s(), ds);
          Tensor da = fc2.backward(dz, tape); Tensor dh = act.backward(da, tape); Tensor dp = fc1.backward(dh, tape);
          Tensor spread = be.mul(dp, 1f / hw)) {
        be.addInPlace(dx, spread);
      }
      return dx;
    }
  }
}
