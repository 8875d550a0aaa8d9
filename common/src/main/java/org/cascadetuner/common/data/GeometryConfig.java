package org.cascadetuner.common.data;

import java.util.List;
import java.util.Objects;

/**
 * The geometry-relevant settings of one image dataset, in normalised form (spec data-pipeline §2.4: a
 * {@code pixel_area} dataset has already become {@code area} with megapixel values). This is the contract between
 * configuration parsing (common/config) and the geometry arithmetic (common/data); both sides build on it.
 *
 * @param resolutionType pixel (short edge in px) or area (megapixels)
 * @param resolution pixel: short-edge pixels; area: megapixels (1024 px pixel_area → 1.048576)
 * @param minimumImageSize null when unset or 0 (the too-small filter is off)
 * @param maximumImageSize null when unset; together with targetDownsampleSize and crop it switches on the pre-crop resize
 * @param targetDownsampleSize null when unset
 * @param cropAspectBuckets the {@code crop_aspect_buckets} list (empty unless closest/random)
 * @param alignment {@code aspect_bucket_alignment} (64)
 * @param rounding {@code aspect_bucket_rounding} (2)
 * @param minimumAspectRatio null when unset: buckets with a smaller key are dropped
 * @param maximumAspectRatio null when unset: buckets with a larger key are dropped
 */
public record GeometryConfig(
    ResolutionType resolutionType,
    double resolution,
    Double minimumImageSize,
    Double maximumImageSize,
    Double targetDownsampleSize,
    boolean crop,
    CropStyle cropStyle,
    CropAspect cropAspect,
    List<AspectChoice> cropAspectBuckets,
    int alignment,
    int rounding,
    Double minimumAspectRatio,
    Double maximumAspectRatio) implements java.io.Serializable {

  public GeometryConfig {
    Objects.requireNonNull(resolutionType, "resolutionType");
    Objects.requireNonNull(cropStyle, "cropStyle");
    Objects.requireNonNull(cropAspect, "cropAspect");
    cropAspectBuckets = List.copyOf(cropAspectBuckets);
  }

  public enum ResolutionType { PIXEL, AREA }

  /** {@code crop_style}; {@code centre} is read as CENTER. FACE is accepted by configuration but refused by geometry. */
  public enum CropStyle { RANDOM, CENTER, CORNER, FACE }

  public enum CropAspect { SQUARE, PRESERVE, CLOSEST, RANDOM }

  /**
   * One entry of {@code crop_aspect_buckets}: a plain number (weight null) or {@code {"aspect": a, "weight": w}}.
   * {@code isInteger} remembers a JSON integer literal, which SimpleTuner rejects for {@code crop_aspect: random}.
   */
  public record AspectChoice(double aspect, Double weight, boolean isInteger) implements java.io.Serializable {}
}
