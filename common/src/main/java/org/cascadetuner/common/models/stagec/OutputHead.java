package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.LayerNorm;

/**
 * {@code clf}: LayerNorm2d ; Conv1×1 (c₀ → c_out·patch², {@code clf.1.*}) ; PixelShuffle(patch). Channels-last in,
 * NCHW out (the model's output layout).
 */
public final class OutputHead {
  private final int patch;
  private final LayerNorm norm = LayerNorm.plain(StableCascadeUNetConfig.NORM_EPS);
  private final PointwiseConv conv;

  public OutputHead(WeightLoader w, StableCascadeUNetConfig config) {
    patch = config.patchSize();
    conv = PointwiseConv.load(w, "clf.1", config.channels(0), (long) config.outChannels() * patch * patch);
  }

  public Tensor forward(Tensor x, Tape tape) {
    Backend be = x.backend();
    try (Tensor n = norm.forward(x, tape); Tensor o = conv.forward(n, tape); Tensor p = be.permute(o, 0, 3, 1, 2);
        Tensor nchw = be.contiguous(p)) {
      return patch == 1 ? nchw.retain() : be.pixelShuffle(nchw, patch);
    }
  }

  /** dL/d(out) in NCHW → dL/dx channels-last. */
  public Tensor backward(Tensor dOut, Tape tape) {
    Backend be = dOut.backend();
    try (Tensor u = patch == 1 ? dOut.retain() : be.pixelUnshuffle(dOut, patch); Tensor p = be.permute(u, 0, 2, 3, 1);
        Tensor nhwc = be.contiguous(p); Tensor dn = conv.backward(nhwc, tape)) {
      return norm.backward(dn, tape);
    }
  }
}
