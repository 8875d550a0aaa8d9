package org.cascadetuner.common.data;

import java.util.ArrayList;
import java.util.List;
import org.cascadetuner.common.data.GeometryConfig.ResolutionType;

/**
 * Finds the configurations whose SimpleTuner arithmetic crops images smaller than their bucket's target (spec
 * data-pipeline §3.9): their latents would not stack with the rest of the bucket. Our policy is to <b>reject</b>
 * them (rather than silently rescale, which would change the geometry SimpleTuner users know): configuration
 * checking reports each problem as an error naming the keys, and {@link ImageGeometry} still computes SimpleTuner's
 * numbers for anyone who asks.
 *
 * <ol>
 *   <li>Area mode with a square edge above the calculator edge: the square edge comes from a table (0.5 MP → 768 px,
 *       2.0 → 1536, also for anything within 0.05 of those) while the size calculator uses
 *       {@code snap(int(sqrt(R·1e6)))} (0.5 → 704), so a resize can leave one side below the square target.</li>
 *   <li>{@code target_downsample_size} smaller than {@code resolution} while the pre-crop resize is on
 *       ({@code crop} + {@code maximum_image_size} + {@code target_downsample_size}): only one edge is ever
 *       corrected back up to the target.</li>
 * </ol>
 */
public final class GeometryDefects {
  private GeometryDefects() {}

  /** Every problem of the configuration, each a sentence with the keys, values and what to change; empty if none. */
  public static List<String> find(GeometryConfig c) {
    List<String> problems = new ArrayList<>();
    if (c.resolutionType() == ResolutionType.AREA) {
      SizeCalculator calc = new SizeCalculator(c.resolutionType(), c.alignment(), c.rounding());
      long edge = calc.areaEdge(c.resolution());
      long square = PyMath.trunc(PyMath.snap(Math.sqrt(ImageGeometry.areaTarget(c.resolution())), c.alignment()));
      if (square > edge) {
        problems.add("resolution " + PyMath.repr(c.resolution()) + " (area, megapixels) gives square crops of "
            + square + " px but aspect-preserving resizes of only " + edge + " px, so some images would come out "
            + "smaller than their " + square + "x" + square + " target (SimpleTuner defect, spec §3.9); use a "
            + "resolution whose edge matches, e.g. pixel_area 512, 768, 1024, 1536 or 2048");
      }
    }
    boolean preCropResize = c.crop() && c.maximumImageSize() != null && c.targetDownsampleSize() != null;
    if (preCropResize && c.targetDownsampleSize() < c.resolution()) {
      problems.add("target_downsample_size " + PyMath.repr(c.targetDownsampleSize()) + " is smaller than resolution "
          + PyMath.repr(c.resolution()) + " (same units after pixel_area normalisation); the pre-crop resize would "
          + "leave images smaller than their target on one edge (SimpleTuner defect, spec §3.9); set "
          + "target_downsample_size to at least the resolution, or remove maximum_image_size");
    }
    return problems;
  }
}
