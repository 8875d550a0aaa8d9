package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

/**
 * Metrics and publishing. Every tracker other than {@code none} ends up as TensorBoard event files (no Java client
 * for the others, DESIGN decision 4); nothing is ever pushed to the Hugging Face Hub.
 *
 * @param hubModelId recorded in provenance only
 */
public record ReportingSettings(ReportTo reportTo, String loggingDir, String hubModelId) {

  public enum ReportTo implements Spelled {
    NONE("none"), TENSORBOARD("tensorboard"), WANDB("wandb"), COMET_ML("comet_ml"), SWANLAB("swanlab"), ALL("all");
    private final String s;
    ReportTo(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  /** True when metrics are written (as TensorBoard files). */
  public boolean writesTensorBoard() {
    return reportTo != ReportTo.NONE;
  }

  static ReportingSettings from(ResolvedValues<TrainingKey> v) {
    return new ReportingSettings(v.as(REPORT_TO, ReportTo.class), v.text(LOGGING_DIR), v.text(HUB_MODEL_ID));
  }
}
