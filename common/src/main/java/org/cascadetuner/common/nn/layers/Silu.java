package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/** SiLU (swish), {@code x·sigmoid(x)}. */
public final class Silu implements Layer {

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
    return x.backend().silu(x);
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    try (Input s = tape.pop(Input.class)) {
      return dy.backend().siluBackward(s.x(), dy);
    }
  }
}
