package org.cascadetuner.trainer.metrics;

/**
 * What one optimizer step reports.
 *
 * @param loss the step's loss (mean over the global batch, as weighted by the objective)
 * @param gradNorm global gradient norm before clipping (NaN when not computed)
 * @param samplesPerSecond images per second over the whole cluster for this step
 */
public record StepMetrics(long step, int epoch, double loss, double lr, double gradNorm, double samplesPerSecond,
    long wallTimeMillis) {}
