package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * Inverted dropout, active only in training (off in eval, in the goldens and whenever p = 0). The mask comes from a
 * seed the caller derives per step and layer, so a recomputed (checkpointed) forward draws the same mask.
 */
public final class Dropout {
  private final float p;

  public Dropout(float p) {
    if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout probability " + p + " outside [0, 1)");
    this.p = p;
  }

  public float p() {
    return p;
  }

  record Mask(Tensor mask) implements Saved {
    @Override
    public long bytes() {
      return Saved.bytesOf(mask);
    }

    @Override
    public void close() {
      Saved.closeAll(mask);
    }
  }

  public Tensor forward(Tensor x, boolean training, long seed, Tape tape) {
    if (!training || p == 0f) {
      tape.push(new Mask(null));
      return x.retain();
    }
    Tensor mask = x.backend().dropoutMask(seed, p, x.shape());
    try (mask) {
      if (tape.isRecording()) tape.push(new Mask(mask.retain()));
      return x.backend().mul(x, mask);
    }
  }

  public Tensor backward(Tensor dy, Tape tape) {
    try (Mask m = tape.pop(Mask.class)) {
      return m.mask() == null ? dy.retain() : dy.backend().mul(dy, m.mask());
    }
  }
}
