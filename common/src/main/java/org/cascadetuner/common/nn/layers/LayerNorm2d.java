package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * LayerNorm over the channels of every pixel of an NCHW tensor (Stable Cascade's {@code SDCascadeLayerNorm}: permute
 * to NHWC, normalise the last axis, permute back). No affine parameters in Stage C; eps 1e-6 there.
 */
public final class LayerNorm2d implements Layer {
  private final LayerNorm norm;

  public LayerNorm2d(LayerNorm norm) {
    this.norm = norm;
  }

  public static LayerNorm2d plain(float eps) {
    return new LayerNorm2d(LayerNorm.plain(eps));
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    Backend be = x.backend();
    try (Tensor nhwc = be.permute(x, 0, 2, 3, 1); Tensor c = be.contiguous(nhwc); Tensor y = norm.forward(c, tape);
        Tensor back = be.permute(y, 0, 3, 1, 2)) {
      return be.contiguous(back);
    }
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Tensor nhwc = be.permute(dy, 0, 2, 3, 1); Tensor c = be.contiguous(nhwc); Tensor dx = norm.backward(c, tape);
        Tensor back = be.permute(dx, 0, 3, 1, 2)) {
      return be.contiguous(back);
    }
  }
}
