package org.cascadetuner.common.data;

import org.cascadetuner.common.data.GeometryConfig.ResolutionType;

/**
 * SimpleTuner's two size calculators (spec data-pipeline §3.3, {@code multiaspect/image.py}): from a requested
 * aspect, a resolution and the original size they give the aligned target size, the aspect-preserving
 * "intermediary" size the image is resized to before cropping, and the target's aspect key. Every operation keeps
 * Python's order and types (int vs float) so results match to the pixel.
 *
 * <p>The persisted {@code aspect_resolution_map} of area mode is not consulted: it only changes results when two
 * different targets share one rounded key (extreme aspects), and then depends on which image SimpleTuner's threads
 * met first — not reproducible, and our results stay a pure function of (config, size).
 */
public final class SizeCalculator {
  private final ResolutionType type;
  private final int alignment;
  private final int rounding;

  public SizeCalculator(ResolutionType type, int alignment, int rounding) {
    if (alignment <= 0) throw new IllegalArgumentException("aspect_bucket_alignment must be positive, got " + alignment);
    this.type = type;
    this.alignment = alignment;
    this.rounding = rounding;
  }

  /** Target, intermediary and key of one calculation. */
  public record Sizing(Size target, Size intermediary, double key) {}

  public Sizing calculate(double aspect, double resolution, Size original) {
    return type == ResolutionType.PIXEL
        ? byPixelEdge(aspect, resolution, original)
        : byPixelArea(aspect, resolution, original);
  }

  /** Pixel mode: the short edge (decided by the ORIGINAL orientation, not by {@code aspect}) becomes R. */
  public Sizing byPixelEdge(double aspect, double resolution, Size original) {
    long w0 = original.width();
    long h0 = original.height();
    requirePositive(original);
    double raw = (double) w0 / (double) h0;
    double wt;
    double ht;
    if (w0 < h0) {
      wt = resolution;
      ht = PyMath.trunc(resolution / aspect);
    } else {
      ht = resolution;
      wt = PyMath.trunc(resolution * aspect);
    }
    long wa = PyMath.snap(wt, alignment);
    long ha = PyMath.snap(ht, alignment);
    double wi;
    double hi;
    if (raw >= 1) {
      hi = Math.max(ha, ht);
      wi = PyMath.trunc(hi * raw);
      if (wi < wa) {
        wi = wa;
        hi = PyMath.trunc(wi / raw);
      }
    } else {
      wi = Math.max(wa, wt);
      hi = PyMath.trunc(wi / raw);
      if (hi < ha) {
        hi = ha;
        wi = PyMath.trunc(hi * raw);
      }
    }
    return new Sizing(Size.of(wa, ha), Size.of(PyMath.trunc(wi), PyMath.trunc(hi)),
        PyMath.aspectKey(wa, ha, rounding));
  }

  /** Area mode: R megapixels, edge {@code E = snap(int(sqrt(R·1e6)))}, target {@code E·√a × E/√a} snapped. */
  public Sizing byPixelArea(double aspect, double megapixels, Size original) {
    long w0 = original.width();
    long h0 = original.height();
    requirePositive(original);
    long edge = areaEdge(megapixels);
    if (aspect == 1.0 && w0 == h0) return new Sizing(Size.of(edge, edge), Size.of(edge, edge), aspect);
    double root = Math.sqrt(aspect);
    long wt = PyMath.snap(edge * root, alignment);
    long ht = PyMath.snap(edge / root, alignment);
    double raw = (double) w0 / (double) h0;
    long wi;
    long hi;
    if (wt < ht) {
      wi = wt;
      hi = PyMath.trunc(wi / raw);
    } else {
      hi = ht;
      wi = PyMath.trunc(hi * raw);
    }
    double key = PyMath.aspectKey(wt, ht, rounding);
    if (wt > wi || ht > hi) {
      long dw;
      long dh;
      if (wt > wi) {
        dw = wt - wi;
        dh = PyMath.trunc(dw / raw);
      } else {
        dh = ht - hi;
        dw = PyMath.trunc(dh * raw);
      }
      wi += dw;
      hi += dh;
    }
    return new Sizing(Size.of(wt, ht), Size.of(wi, hi), key);
  }

  /** The area calculator's edge E for R megapixels (1.048576 → 1024, 0.5 → 704). */
  public long areaEdge(double megapixels) {
    return PyMath.snap(PyMath.trunc(Math.sqrt(megapixels * 1e6)), alignment);
  }

  private static void requirePositive(Size s) {
    if (s.width() <= 0 || s.height() <= 0) {
      throw new IllegalArgumentException("Invalid image dimensions: " + s + " (both edges must be positive)");
    }
  }
}
