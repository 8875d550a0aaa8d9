package org.cascadetuner.common.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.cascadetuner.common.data.GeometryConfig.AspectChoice;
import org.cascadetuner.common.data.GeometryConfig.CropAspect;
import org.cascadetuner.common.data.GeometryConfig.CropStyle;
import org.cascadetuner.common.data.GeometryConfig.ResolutionType;
import org.cascadetuner.common.data.GeometryResult.CropOrigin;
import org.cascadetuner.common.data.GeometryResult.Kept;
import org.cascadetuner.common.data.GeometryResult.RejectReason;
import org.cascadetuner.common.data.GeometryResult.Rejected;

/**
 * SimpleTuner's per-image geometry, exactly (spec data-pipeline §3.4–§3.7, the vectors in bucket-vectors.json):
 * the too-small filter, target / intermediary / bucket, the pre-crop resize and the crop offsets, plus the Stage C
 * latent shape at the configured effnet scale (DESIGN decision 2). Metadata only: no pixels are touched.
 *
 * <p>Random choices ({@code crop_style: random} offsets, {@code crop_aspect: random} buckets) are drawn from
 * {@link SeededDraws} with the run seed and the image key (its dataset-relative path), purposes
 * {@code "crop_aspect"} and {@code "crop"} (left first, then top, each {@code randint(0, excess)}); so a rerun gives
 * the same crops. SimpleTuner instead draws from its global generator once at caching time, and reports centre
 * offsets on its trainingsample path; we report the offsets the pixels are cut at.
 *
 * <p>The §3.9 configurations that make crops smaller than their target are reproduced here as SimpleTuner computes
 * them ({@link Kept#fillsTarget()} is false); {@link GeometryDefects} refuses such configurations up front.
 */
public final class ImageGeometry {
  private final GeometryConfig config;
  private final double effnetScale;
  private final long seed;
  private final SizeCalculator calc;
  private final long pixelResolution;
  private final double targetArea;

  /**
   * @param effnetScale {@code stable_cascade_effnet_scale} (0.75 by default; 1.0 reproduces SimpleTuner's latents)
   * @param seed the run seed for random crops and random crop aspects
   */
  public ImageGeometry(GeometryConfig config, double effnetScale, long seed) {
    this.config = Objects.requireNonNull(config, "config");
    this.effnetScale = effnetScale;
    this.seed = seed;
    if (config.cropStyle() == CropStyle.FACE) {
      throw new IllegalArgumentException("crop_style 'face' is not supported by cascade-tuner (it has no face "
          + "detector); use one of 'random', 'center' (or 'centre'), 'corner'");
    }
    boolean needsBuckets = config.crop()
        && (config.cropAspect() == CropAspect.CLOSEST || config.cropAspect() == CropAspect.RANDOM);
    if (needsBuckets && config.cropAspectBuckets().isEmpty()) {
      throw new IllegalArgumentException("crop_aspect_buckets must be provided when crop_aspect is set to '"
          + config.cropAspect().name().toLowerCase() + "'");
    }
    if (config.crop() && config.cropAspect() == CropAspect.RANDOM) {
      boolean weighted = config.cropAspectBuckets().get(0).weight() != null;
      for (AspectChoice c : config.cropAspectBuckets()) {
        if ((c.weight() != null) != weighted) {
          throw new IllegalArgumentException("crop_aspect_buckets mixes plain numbers and {\"aspect\", \"weight\"} "
              + "entries; for crop_aspect 'random' give either all numbers or all weighted entries");
        }
      }
    }
    LatentShape.encoderInput(Size.of(64, 64), effnetScale); // validates the scale early
    this.calc = new SizeCalculator(config.resolutionType(), config.alignment(), config.rounding());
    double r = config.resolution();
    if (config.resolutionType() == ResolutionType.PIXEL) {
      this.targetArea = r;
      this.pixelResolution = PyMath.trunc(r);
    } else {
      this.targetArea = areaTarget(r);
      this.pixelResolution = PyMath.trunc(PyMath.snap(Math.sqrt(targetArea), config.alignment()));
    }
  }

  /** §3.4: area mode maps resolutions within 0.05 of 0.25/0.5/1/2/4 MP to 512²/768²/1024²/1536²/2048² pixels. */
  static double areaTarget(double megapixels) {
    double[][] table = {{0.25, 512 * 512}, {0.5, 768 * 768}, {1.0, 1024 * 1024}, {2.0, 1536 * 1536},
        {4.0, 2048 * 2048}};
    for (double[] row : table) {
      if (Math.abs(megapixels - row[0]) < 0.05) return row[1];
    }
    return megapixels * 1e6;
  }

  /** The square edge used for square crops and bucket 1.0 ({@code pixel_resolution}). */
  public long pixelResolution() {
    return pixelResolution;
  }

  public GeometryConfig config() {
    return config;
  }

  /** The whole geometry of one image; {@code imageKey} (its dataset-relative path) seeds the random choices. */
  public GeometryResult compute(Size original, String imageKey) {
    if (original.width() <= 0 || original.height() <= 0) {
      return new Rejected(original, RejectReason.INVALID_DIMENSIONS,
          "Invalid image dimensions " + original + ": both edges must be positive");
    }
    Rejected small = sizeFilter(original);
    if (small != null) return small;

    long w0 = original.width();
    long h0 = original.height();
    double resolution = config.resolution();
    double aspect = PyMath.aspectKey(w0, h0, config.rounding());
    Double chosen = null;
    Size target;
    Size inter;
    double bucket;
    Size square = Size.of(pixelResolution, pixelResolution);
    if (config.crop() && config.cropAspect() == CropAspect.SQUARE) {
      target = square;
      inter = calc.calculate(1.0, resolution, original).intermediary();
      if (inter.width() < pixelResolution) inter = square;
      bucket = 1.0;
    } else {
      if (config.crop() && config.cropAspect() == CropAspect.CLOSEST) {
        aspect = closest(aspect);
        chosen = aspect;
      } else if (config.crop() && config.cropAspect() == CropAspect.RANDOM) {
        aspect = drawAspect(imageKey);
        chosen = aspect;
      }
      SizeCalculator.Sizing s = calc.calculate(aspect, resolution, original);
      target = s.target();
      inter = s.intermediary();
      bucket = PyMath.aspectKey(target.width(), target.height(), config.rounding());
      if (bucket == 1.0) {
        if (inter.width() < pixelResolution) inter = square;
        target = square;
      }
    }

    Size resize = preCropResize(original, target, inter);
    CropOrigin crop = cropOrigin(resize, target, imageKey);
    Size resulting = Size.of(Math.min(target.width(), resize.width() - crop.left()),
        Math.min(target.height(), resize.height() - crop.top()));
    return new Kept(original, target, inter, resize, crop, bucket, PyMath.repr(bucket), chosen, resulting,
        LatentShape.of(target, effnetScale));
  }

  /** §3.4's too-small test on the decoded size; null when the image passes. */
  Rejected sizeFilter(Size original) {
    Double min = config.minimumImageSize();
    if (min == null || min == 0) return null;
    long w = original.width();
    long h = original.height();
    if (config.resolutionType() == ResolutionType.PIXEL) {
      if (w >= min && h >= min) return null;
      return new Rejected(original, RejectReason.TOO_SMALL, original + " is smaller than minimum_image_size "
          + PyMath.repr(min) + " px on an edge (both edges must reach it)");
    }
    if (min > 5) {
      return new Rejected(original, RejectReason.INVALID_MINIMUM_IMAGE_SIZE, "minimum_image_size "
          + PyMath.repr(min) + " is read as megapixels (resolution_type area, or pixel_area after squaring) and "
          + "must be at most 5; SimpleTuner rejects every image with this setting");
    }
    double m = min * 1e6;
    if (config.crop() && config.cropAspect() == CropAspect.SQUARE) {
      double edge = Math.floor(Math.sqrt(m));
      if (w < edge || h < edge) {
        return new Rejected(original, RejectReason.TOO_SMALL, original + " has an edge below "
            + (long) edge + " px, the square-crop minimum for minimum_image_size " + PyMath.repr(min) + " MP");
      }
    }
    if ((double) (w * h) >= m) return null;
    return new Rejected(original, RejectReason.TOO_SMALL, original + " has " + (w * h)
        + " pixels, below minimum_image_size " + PyMath.repr(min) + " MP");
  }

  private double closest(double key) {
    AspectChoice best = null;
    for (AspectChoice c : config.cropAspectBuckets()) {
      if (best == null || Math.abs(c.aspect() - key) < Math.abs(best.aspect() - key)) best = c;
    }
    return best.aspect();
  }

  private double drawAspect(String imageKey) {
    List<AspectChoice> choices = config.cropAspectBuckets();
    PyRandom rng = SeededDraws.random(seed, "crop_aspect", imageKey);
    List<Double> aspects = new ArrayList<>(choices.size());
    for (AspectChoice c : choices) aspects.add(c.aspect());
    if (choices.get(0).weight() == null) return rng.choice(aspects);
    double[] weights = new double[choices.size()];
    for (int i = 0; i < weights.length; i++) weights[i] = choices.get(i).weight();
    return rng.weightedChoice(aspects, weights);
  }

  /** §3.6: the size the image is resized to before the crop. */
  private Size preCropResize(Size original, Size target, Size inter) {
    if (!(config.crop() && config.maximumImageSize() != null && config.targetDownsampleSize() != null)) {
      return inter;
    }
    long w0 = original.width();
    long h0 = original.height();
    boolean downsample = config.resolutionType() == ResolutionType.PIXEL
        ? !(w0 == pixelResolution && h0 == pixelResolution)
        : (double) (w0 * h0) != targetArea || w0 < target.width() || h0 < target.height();
    if (!downsample) return inter;
    double key = PyMath.aspectKey(w0, h0, config.rounding());
    Size c = calc.calculate(key, config.targetDownsampleSize(), original).intermediary();
    if (c.width() < target.width()) {
      c = Size.of(target.width(), PyMath.trunc((double) (c.height() * target.width()) / c.width()));
    } else if (c.height() < target.height()) {
      c = Size.of(PyMath.trunc((double) (c.width() * target.height()) / c.height()), target.height());
    }
    return c;
  }

  /** §3.7: where the target window sits in the resized image. */
  private CropOrigin cropOrigin(Size resized, Size target, String imageKey) {
    long excessW = resized.width() - target.width();
    long excessH = resized.height() - target.height();
    switch (config.cropStyle()) {
      case CORNER:
        return new CropOrigin(0, 0);
      case CENTER:
        return new CropOrigin(Math.max(0, PyMath.trunc(excessH / 2.0)), Math.max(0, PyMath.trunc(excessW / 2.0)));
      case RANDOM: {
        PyRandom rng = SeededDraws.random(seed, "crop", imageKey);
        long left = rng.randint(0, Math.max(0, excessW));
        long top = rng.randint(0, Math.max(0, excessH));
        return new CropOrigin(top, left);
      }
      default:
        throw new IllegalStateException("crop_style " + config.cropStyle() + " reached the cropper");
    }
  }
}
