package org.cascadetuner.common.data;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * The Stage C latent of a training crop (DESIGN decision 2): the EfficientNet encoder sees the crop scaled by
 * {@code stable_cascade_effnet_scale} and downsamples by 32 with stride-2 "same" convolutions (each rounds up), so
 * the latent is {@code [16, ceil(scale·h/32), ceil(scale·w/32)]}: 1024² → 768² → 24×24 at 0.75; scale 1.0 gives
 * SimpleTuner's {@code [16, h/32, w/32]}.
 *
 * <p>The scale is taken as the decimal the user wrote ({@code 0.1} is one tenth, not the double just above it), and
 * the encoder input edge is {@code ceil(scale·edge)}; since {@code ceil(ceil(x)/32) = ceil(x/32)} the latent edge is
 * the same either way, and for 64-aligned targets at 0.75 the input edge is exact.
 */
public record LatentShape(int channels, long height, long width) implements java.io.Serializable {
  public static final int CHANNELS = 16;
  public static final int STRIDE = 32;
  public static final double DEFAULT_EFFNET_SCALE = 0.75;

  public static LatentShape of(Size target, double effnetScale) {
    Size in = encoderInput(target, effnetScale);
    return new LatentShape(CHANNELS, ceilDiv(in.height(), STRIDE), ceilDiv(in.width(), STRIDE));
  }

  /** The pixel size the EfficientNet encoder is fed: {@code ceil(scale·w) × ceil(scale·h)}. */
  public static Size encoderInput(Size target, double effnetScale) {
    if (!(effnetScale > 0) || Double.isInfinite(effnetScale)) {
      throw new IllegalArgumentException("stable_cascade_effnet_scale must be a positive number, got " + effnetScale);
    }
    BigDecimal s = BigDecimal.valueOf(effnetScale);
    return Size.of(scaled(target.width(), s), scaled(target.height(), s));
  }

  private static long scaled(long edge, BigDecimal scale) {
    return Math.max(1, scale.multiply(BigDecimal.valueOf(edge)).setScale(0, RoundingMode.CEILING).longValueExact());
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  /** {@code [16, h, w]} as the geometry command and the vectors write it. */
  public List<Long> toList() {
    return List.of((long) channels, height, width);
  }
}
