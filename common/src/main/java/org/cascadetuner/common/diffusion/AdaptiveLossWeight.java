package org.cascadetuner.common.diffusion;

import java.util.Arrays;

/**
 * GDF's {@code AdaptiveLossWeight}: logSNR is binned into {@code buckets} ranges ({@code boundaries =
 * linspace(lo, hi, buckets − 1)}, a sample's bucket is {@code searchsorted(boundaries, logSNR)}, left side); each
 * bucket keeps an exponential average of the unweighted per-sample loss, and a sample's weight is the clamped
 * reciprocal of its bucket's average. After every forward, {@link #update} folds the batch's losses in
 * ({@code L = 0.99·L + 0.01·loss}; with two samples in one bucket the later one wins, as torch's indexed assignment
 * does). The bucket averages are training state: {@link #state} / {@link #restore} carry them through checkpoints
 * (Stable Cascade saves them as {@code info.adaptive_loss}).
 */
public final class AdaptiveLossWeight implements LossWeight {
  private final float[] boundaries;
  private final float[] bucketLosses;
  private final float minWeight, maxWeight;
  private final double beta; // a Python float: torch rounds β and 1 − β to float separately

  /** Stable Cascade's defaults: logSNR range [−10, 10], 300 buckets, weights in [1e-7, 1e7], β = 0.99. */
  public AdaptiveLossWeight() {
    this(-10f, 10f, 300, 1e-7f, 1e7f, 0.99);
  }

  public AdaptiveLossWeight(float lo, float hi, int buckets, float minWeight, float maxWeight, double beta) {
    if (buckets < 2) throw new IllegalArgumentException("adaptive loss weight needs at least 2 buckets, got " + buckets);
    if (!(lo < hi)) throw new IllegalArgumentException("adaptive loss weight logSNR range [" + lo + ", " + hi + "] is empty");
    if (!(beta >= 0 && beta < 1)) throw new IllegalArgumentException("adaptive loss weight beta " + beta + " outside [0, 1)");
    this.boundaries = F32.linspace(lo, hi, buckets - 1);
    this.bucketLosses = new float[buckets];
    Arrays.fill(bucketLosses, 1f);
    this.minWeight = minWeight;
    this.maxWeight = maxWeight;
    this.beta = beta;
  }

  /** The bucket of each logSNR: the number of boundaries strictly below it (searchsorted, left). */
  public int[] bucketIndex(float[] logSnr) {
    int[] idx = new int[logSnr.length];
    for (int i = 0; i < idx.length; i++) {
      int lo = 0, hi = boundaries.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (boundaries[mid] < logSnr[i]) lo = mid + 1;
        else hi = mid;
      }
      idx[i] = lo;
    }
    return idx;
  }

  @Override
  public float[] weights(float[] logSnr) {
    int[] idx = bucketIndex(logSnr);
    float[] w = new float[idx.length];
    for (int i = 0; i < w.length; i++) w[i] = F32.clamp(1f / bucketLosses[idx[i]], minWeight, maxWeight);
    return w;
  }

  /** Folds one batch's unweighted per-sample losses into their buckets (in sample order). */
  public void update(float[] logSnr, float[] loss) {
    if (loss.length != logSnr.length)
      throw new IllegalArgumentException(loss.length + " losses for " + logSnr.length + " logSNR values");
    int[] idx = bucketIndex(logSnr);
    float keep = (float) beta, take = (float) (1.0 - beta);
    // torch evaluates the whole right-hand side before it assigns: read all, then write in order
    float[] next = new float[idx.length];
    for (int i = 0; i < idx.length; i++) next[i] = bucketLosses[idx[i]] * keep + loss[i] * take;
    for (int i = 0; i < idx.length; i++) bucketLosses[idx[i]] = next[i];
  }

  /** A copy of the bucket averages (the checkpointed state). */
  public float[] state() {
    return bucketLosses.clone();
  }

  /** Restores bucket averages saved by {@link #state}. */
  public void restore(float[] state) {
    if (state.length != bucketLosses.length)
      throw new IllegalArgumentException("adaptive loss state has " + state.length + " buckets; this weighting has "
          + bucketLosses.length);
    System.arraycopy(state, 0, bucketLosses, 0, state.length);
  }

  public int buckets() {
    return bucketLosses.length;
  }
}
