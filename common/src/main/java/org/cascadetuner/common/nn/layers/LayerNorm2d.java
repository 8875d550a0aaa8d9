package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * LayerNorm over the channels of every pixel of an NCHW tensor (Stable Cascade's {@code SDCascadeLayerNorm}, which
 * permutes to NHWC, normalises the last axis and permutes back: the same numbers, computed here along axis 1 without
 * the two copies). No affine parameters in Stage C; eps 1e-6 there.
 */
public final class LayerNorm2d implements Layer {
  private final LayerNorm norm;

  public LayerNorm2d(Parameter gamma, Parameter beta, float eps) {
    this.norm = new LayerNorm(gamma, beta, eps, 1);
  }

  public static LayerNorm2d plain(float eps) {
    return new LayerNorm2d(null, null, eps);
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    if (x.rank() != 4) throw new IllegalArgumentException("LayerNorm2d needs NCHW, got " + Tensor.describe(x.shape()));
    return norm.forward(x, tape);
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    return norm.backward(dy, tape);
  }
}
