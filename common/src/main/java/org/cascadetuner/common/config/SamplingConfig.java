package org.cascadetuner.common.config;

/**
 * How often and when an image dataset is drawn (spec data-pipeline §7).
 *
 * @param repeats extra passes per epoch (N means N+1 passes)
 * @param probability weight of the dataset in the per-step draw; 0 never draws it
 * @param endEpoch null: no end
 * @param endStep null: no end
 * @param maxNumSamples null: every image
 */
public record SamplingConfig(
    long trainBatchSize,
    long repeats,
    double probability,
    long startEpoch,
    long startStep,
    Long endEpoch,
    Long endStep,
    Long maxNumSamples) {}
