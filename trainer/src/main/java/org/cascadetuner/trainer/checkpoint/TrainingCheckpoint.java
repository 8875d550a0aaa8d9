package org.cascadetuner.trainer.checkpoint;

import java.util.Map;

/**
 * Everything a resumed run needs to continue exactly as the uninterrupted one: tensors by group (trainable weights,
 * optimizer moments, EMA weights, adaptive-loss buckets…) and a JSON document of scalars and cursors (step, epoch,
 * LR-schedule step, sampler cursor, RNG seeds, the configuration hash it was made under).
 *
 * @param tensors group name → (tensor name → values), each group stored as one safetensors file
 * @param shapes tensor name → shape, for every tensor of every group (names are unique across groups)
 * @param state free-form JSON text owned by the trainer
 */
public record TrainingCheckpoint(long step, Map<String, Map<String, float[]>> tensors, Map<String, long[]> shapes,
    String state) {}
