package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

/**
 * Parameter averaging across Spark executors (DESIGN "Distributed training"; knobs after DL4J's
 * ParameterAveragingTrainingMaster).
 *
 * @param averagingFrequency local steps each worker takes between two averagings
 * @param averageOptimizerState also average (and keep) the optimizer moments, as DL4J's saveUpdater
 * @param workerPrefetch batches each worker reads ahead
 */
public record DistributedSettings(long averagingFrequency, boolean averageOptimizerState, long workerPrefetch) {

  static DistributedSettings from(ResolvedValues<TrainingKey> v) {
    return new DistributedSettings(v.integer(AVERAGING_FREQUENCY), v.bool(AVERAGE_OPTIMIZER_STATE),
        v.integer(WORKER_PREFETCH));
  }
}
