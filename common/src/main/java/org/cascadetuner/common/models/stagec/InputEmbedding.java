package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.LayerNorm;

/**
 * {@code embedding}: PixelUnshuffle(patch) ; Conv1×1 (c_in·patch² → c₀, {@code embedding.1.*}) ; LayerNorm2d. Takes
 * the NCHW latent and returns channels-last [B, H/p, W/p, c₀], the layout the blocks work in.
 */
public final class InputEmbedding {
  private final int patch;
  private final PointwiseConv conv;
  private final LayerNorm norm = LayerNorm.plain(StableCascadeUNetConfig.NORM_EPS);

  public InputEmbedding(WeightLoader w, StableCascadeUNetConfig config) {
    patch = config.patchSize();
    conv = PointwiseConv.load(w, "embedding.1", (long) config.inChannels() * patch * patch, config.channels(0));
  }

  public Tensor forward(Tensor sample, Tape tape) {
    Backend be = sample.backend();
    try (Tensor u = patch == 1 ? sample.retain() : be.pixelUnshuffle(sample, patch);
        Tensor p = be.permute(u, 0, 2, 3, 1); Tensor nhwc = be.contiguous(p); Tensor h = conv.forward(nhwc, tape)) {
      return norm.forward(h, tape);
    }
  }

  /** Adds the gradients of embedding.1 (the latent itself needs none). */
  public void backward(Tensor dy, Tape tape) {
    try (Tensor dh = norm.backward(dy, tape)) {
      conv.backward(dh, tape).close();
    }
  }
}
