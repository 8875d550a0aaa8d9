package org.cascadetuner.common.diffusion;

import java.util.Arrays;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * Stable Cascade's training objective (GDF as {@code train_c.py} configures it; spec stage-c-architecture.md §4.1,
 * DESIGN.md decision 1): cosine schedule, VP scaler, ε target, {@link CosineTNoiseCond} for the model's r, and a
 * {@link LossWeight}. One training step is {@link #sampleT} → {@link #diffuse} → the model's forward on
 * {@link Diffused#noised} at {@link Diffused#r} → {@link #loss}, whose {@link Loss#dPred} starts the backward.
 *
 * <p>Per-sample scalars (t, logSNR, a, b, r, weights) are computed in float32 operation by operation as PyTorch does;
 * tensors go through the {@link Backend}.
 */
public final class Gdf {
  private final CosineSchedule schedule;
  private final CosineTNoiseCond noiseCond;
  private final LossWeight lossWeight;

  public Gdf(CosineSchedule schedule, CosineTNoiseCond noiseCond, LossWeight lossWeight) {
    this.schedule = schedule;
    this.noiseCond = noiseCond;
    this.lossWeight = lossWeight;
  }

  /** Stage C's GDF: P2 loss weight, or the adaptive one ({@code adaptive_loss_weight: True} in the 3B configs). */
  public static Gdf stageC(boolean adaptiveLossWeight) {
    return new Gdf(CosineSchedule.stageC(), CosineTNoiseCond.stageC(),
        adaptiveLossWeight ? new AdaptiveLossWeight() : P2LossWeight.stageC());
  }

  public CosineSchedule schedule() {
    return schedule;
  }

  public CosineTNoiseCond noiseCond() {
    return noiseCond;
  }

  public LossWeight lossWeight() {
    return lossWeight;
  }

  /** Training t from uniforms u ∈ [0, 1): {@code clamp((1 − u) + 0.001, 0.001, 1)}. */
  public static float[] sampleT(float[] u) {
    float[] t = new float[u.length];
    for (int i = 0; i < t.length; i++) t[i] = F32.clamp((1f - u[i]) + 0.001f, 0.001f, 1f);
    return t;
  }

  /** Training t for a batch from the seeded generator (the draw named by {@code key}, see {@link SeededNoise}). */
  public static float[] sampleT(int batch, long key) {
    return sampleT(SeededNoise.uniform(key, batch));
  }

  /**
   * The forward process at t: everything the model's forward and the loss need. Owns {@code noised} and a handle on
   * the target (ε); close it after the loss.
   *
   * @param r the noise conditioning fed to the model as its timestep ratio
   */
  public record Diffused(Tensor noised, Tensor target, float[] t, float[] logSnr, float[] a, float[] b, float[] r,
      float[] lossWeight) implements AutoCloseable {
    @Override
    public void close() {
      noised.close();
      target.close();
    }
  }

  /**
   * {@code noised = a·x0 + b·ε} at logSNR(t) with {@code shift} (1 in training; the SC sampling notebooks use 2),
   * target ε, r from the noise conditioning, loss weights at {@code lossShift}.
   *
   * @param x0 clean latents [B, ...]
   * @param eps standard normal noise of x0's shape
   */
  public Diffused diffuse(Tensor x0, Tensor eps, float[] t, double shift, double lossShift) {
    long batch = x0.size(0);
    if (t.length != batch) throw new IllegalArgumentException(t.length + " timesteps for a batch of " + batch);
    if (!Arrays.equals(x0.shape(), eps.shape()))
      throw new IllegalArgumentException("noise " + Tensor.describe(eps.shape()) + " does not match latents "
          + Tensor.describe(x0.shape()));
    float[] logSnr = schedule.logSnr(t, shift);
    VpScaler.Scales s = VpScaler.scales(logSnr);
    Backend be = x0.backend();
    long[] col = perSample(x0);
    Tensor noised;
    try (Tensor a = be.fromFloats(s.a(), col); Tensor b = be.fromFloats(s.b(), col);
        Tensor ax = be.mul(x0, a); Tensor bx = be.mul(eps, b)) {
      noised = be.add(ax, bx);
    }
    return new Diffused(noised, eps.retain(), t.clone(), logSnr, s.a(), s.b(), noiseCond.r(logSnr),
        lossWeight.weights(logSnr, lossShift));
  }

  /** The loss of one forward and where the backward starts. */
  public record Loss(float[] perSample, float adjusted, Tensor dPred) implements AutoCloseable {
    @Override
    public void close() {
      dPred.close();
    }
  }

  /**
   * {@code loss_b = mean over all but the batch axis of (pred − target)²}, {@code adjusted = mean_b(loss_b·w_b) /
   * gradAccumSteps}, and {@code dPred = d adjusted / d pred = 2·w_b·(pred − target) / (B·N·gradAccumSteps)} (N
   * elements per sample). With the adaptive weight, the buckets then learn this batch's unweighted losses, as
   * {@code train_c.py} does right after each forward; the weights used here are those {@link #diffuse} fixed.
   */
  public Loss loss(Tensor pred, Diffused d, int gradAccumSteps) {
    if (gradAccumSteps < 1)
      throw new IllegalArgumentException("gradient_accumulation_steps is " + gradAccumSteps + "; it must be >= 1");
    if (!Arrays.equals(pred.shape(), d.target().shape()))
      throw new IllegalArgumentException("prediction " + Tensor.describe(pred.shape()) + " does not match target "
          + Tensor.describe(d.target().shape()));
    Backend be = pred.backend();
    int batch = (int) pred.size(0);
    long perSampleN = pred.numel() / batch;
    int[] axes = new int[pred.rank() - 1];
    for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
    float[] w = d.lossWeight();
    float[] perSample;
    Tensor dPred;
    try (Tensor diff = be.sub(pred, d.target())) {
      try (Tensor sq = be.mul(diff, diff); Tensor m = be.mean(sq, false, axes)) {
        perSample = m.toFloats();
      }
      float[] coef = new float[batch];
      for (int i = 0; i < batch; i++) coef[i] = (float) (2.0 * w[i] / ((double) batch * perSampleN * gradAccumSteps));
      try (Tensor c = be.fromFloats(coef, perSample(pred))) {
        dPred = be.mul(diff, c);
      }
    }
    float sum = 0f;
    for (int i = 0; i < batch; i++) sum += perSample[i] * w[i];
    float adjusted = sum / batch / gradAccumSteps;
    if (lossWeight instanceof AdaptiveLossWeight adaptive) adaptive.update(d.logSnr(), perSample);
    return new Loss(perSample, adjusted, dPred);
  }

  /** [B, 1, 1, ...]: a per-sample factor broadcast over the other axes of {@code x}. */
  private static long[] perSample(Tensor x) {
    long[] s = new long[x.rank()];
    Arrays.fill(s, 1);
    s[0] = x.size(0);
    return s;
  }
}
