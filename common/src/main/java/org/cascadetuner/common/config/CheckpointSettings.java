package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

/**
 * Where the run writes and how it checkpoints.
 *
 * @param totalLimit 0: keep every checkpoint
 * @param resumeFrom "latest", a checkpoint name or path; null: start fresh
 */
public record CheckpointSettings(String outputDir, long stepInterval, long totalLimit, String resumeFrom) {

  static CheckpointSettings from(ResolvedValues<TrainingKey> v) {
    String resume = v.text(RESUME_FROM_CHECKPOINT);
    return new CheckpointSettings(v.text(OUTPUT_DIR), v.integer(CHECKPOINT_STEP_INTERVAL),
        v.integer(CHECKPOINTS_TOTAL_LIMIT), resume == null || resume.isBlank() ? null : resume);
  }
}
