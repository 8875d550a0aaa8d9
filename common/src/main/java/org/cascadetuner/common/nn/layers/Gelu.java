package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/** Exact GELU, {@code 0.5·x·(1 + erf(x/√2))} (torch nn.GELU() default, CLIP's "gelu"). */
public final class Gelu implements Layer {

  record Input(Tensor x) implements Saved {
    @Override
    public long bytes() {
      return x.bytes();
    }

    @Override
    public void close() {
      x.close();
    }
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    if (tape.isRecording()) tape.push(new Input(x.retain()));
    return x.backend().gelu(x);
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    try (Input s = tape.pop(Input.class)) {
      return dy.backend().geluBackward(s.x(), dy);
    }
  }
}
