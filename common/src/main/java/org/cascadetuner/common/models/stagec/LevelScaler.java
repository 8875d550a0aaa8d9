package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.LayerNorm;

/**
 * The change between two levels of the prior (switch_level false): LayerNorm2d then a 1×1 conv c_from → c_to at the
 * same resolution; {@code down_downscalers.<i>.1.blocks.0} going down, {@code up_upscalers.<u>.1.blocks.1} going up
 * (the index of the disabled interpolation's slot differs).
 */
public final class LevelScaler implements Layer {
  private final LayerNorm norm = LayerNorm.plain(StableCascadeUNetConfig.NORM_EPS);
  private final PointwiseConv conv;

  public LevelScaler(WeightLoader w, String convName, long from, long to) {
    conv = PointwiseConv.load(w, convName, from, to);
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    try (Tensor n = norm.forward(x, tape)) {
      return conv.forward(n, tape);
    }
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    try (Tensor dn = conv.backward(dy, tape)) {
      return norm.backward(dn, tape);
    }
  }
}
