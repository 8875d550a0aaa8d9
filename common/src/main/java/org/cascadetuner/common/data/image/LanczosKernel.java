package org.cascadetuner.common.data.image;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Lanczos (a = 3) resampling weights for one axis, computed exactly as Pillow's {@code precompute_coeffs} and
 * {@code normalize_coeffs_8bpc} (src/libImaging/Resample.c) do for {@code Image.resize(size, Image.LANCZOS)}:
 * <ul>
 *   <li>scale = in / out; the filter is stretched by max(scale, 1), so its support is 3·max(scale, 1) input
 *       pixels;
 *   <li>output pixel i is centred on input coordinate (i + 0.5)·scale; its window runs from
 *       (int) (centre − support + 0.5) to (int) (centre + support + 0.5), clipped to the image;
 *   <li>tap j weighs lanczos((j + start − centre + 0.5) / max(scale, 1)), lanczos(x) = sinc(x)·sinc(x/3) on
 *       [−3, 3); the weights are divided by their sum;
 *   <li>each weight becomes a 22-bit fixed-point integer, (int) (w·2²² ± 0.5) (rounded away from zero).
 * </ul>
 * The sine is {@link StrictMath#sin} (fdlibm), so every JVM computes the same tables.
 */
public final class LanczosKernel {
  /** Pillow's PRECISION_BITS = 32 − 8 − 2: 8 bits of pixel, 2 bits of headroom for the filter's lobes. */
  public static final int PRECISION_BITS = 22;

  private static final double SUPPORT = 3.0;
  private static final int CACHE_LIMIT = 4096;
  private static final ConcurrentHashMap<Long, LanczosKernel> CACHE = new ConcurrentHashMap<>();

  final int inSize;
  final int outSize;
  /** Taps reserved per output pixel (Pillow's ksize); a pixel uses {@code count[i]} of them. */
  final int stride;
  /** First input pixel of output pixel i. */
  final int[] start;
  /** Number of input pixels of output pixel i. */
  final int[] count;
  /** Fixed-point weights, {@code weight[i * stride + j]} for tap j of output pixel i. */
  final int[] weight;

  private LanczosKernel(int inSize, int outSize) {
    this.inSize = inSize;
    this.outSize = outSize;
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = SUPPORT * filterScale;
    stride = (int) Math.ceil(support) * 2 + 1;
    start = new int[outSize];
    count = new int[outSize];
    weight = new int[outSize * stride];
    double[] k = new double[stride];
    double inverse = 1.0 / filterScale;
    for (int i = 0; i < outSize; i++) {
      double center = (i + 0.5) * scale;
      int lo = Math.max((int) (center - support + 0.5), 0);
      int hi = Math.min((int) (center + support + 0.5), inSize);
      int n = hi - lo;
      double sum = 0.0;
      for (int j = 0; j < n; j++) {
        double w = lanczos((j + lo - center + 0.5) * inverse);
        k[j] = w;
        sum += w;
      }
      for (int j = 0; j < n; j++) {
        double w = sum != 0.0 ? k[j] / sum : k[j];
        weight[i * stride + j] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
      }
      start[i] = lo;
      count[i] = n;
    }
  }

  /** The weights for resampling {@code inSize} pixels to {@code outSize}; shared, immutable. */
  public static LanczosKernel of(int inSize, int outSize) {
    if (inSize <= 0 || outSize <= 0) {
      throw new IllegalArgumentException("resample " + inSize + " -> " + outSize + ": sizes must be positive");
    }
    long key = (long) inSize << 32 | outSize;
    LanczosKernel k = CACHE.get(key);
    if (k != null) return k;
    if (CACHE.size() >= CACHE_LIMIT) CACHE.clear(); // many distinct sizes: start over rather than grow
    return CACHE.computeIfAbsent(key, x -> new LanczosKernel(inSize, outSize));
  }

  public int inSize() {
    return inSize;
  }

  public int outSize() {
    return outSize;
  }

  /** Pillow's lanczos_filter: sinc(x)·sinc(x/3) on [−3, 3), 0 elsewhere. */
  static double lanczos(double x) {
    if (-SUPPORT <= x && x < SUPPORT) return sinc(x) * sinc(x / 3);
    return 0.0;
  }

  private static double sinc(double x) {
    if (x == 0.0) return 1.0;
    x = x * Math.PI;
    return StrictMath.sin(x) / x;
  }
}
