package org.cascadetuner.common.data.image;

import java.util.Objects;

/**
 * One image as the EfficientNet latent encoder takes it: float32, channels first (R, G, B planes of
 * height × width), each sample (v / 255 − mean) / std with ImageNet's mean and std.
 */
public record EffnetInput(int height, int width, float[] chw) implements EffnetResult {

  public EffnetInput {
    Objects.requireNonNull(chw, "chw");
    if (chw.length != 3L * height * width) {
      throw new IllegalArgumentException("chw holds " + chw.length + " floats, 3x" + height + "x" + width
          + " needs " + 3L * height * width);
    }
  }

  @Override
  public String toString() {
    return "EffnetInput[3x" + height + "x" + width + "]";
  }
}
