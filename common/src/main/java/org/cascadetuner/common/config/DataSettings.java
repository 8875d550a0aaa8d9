package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

/**
 * config.json's data settings that are not per dataset. The dataset defaults that config.json carries
 * (resolution, caption_strategy, …) are applied per dataset and show in each {@link DatasetConfig}.
 *
 * @param dataBackendConfig path of multidatabackend.json as written in config.json, or null
 */
public record DataSettings(
    String dataBackendConfig,
    long vaeBatchSize,
    Sampling sampling,
    boolean allowDatasetOversubscription,
    boolean disableBucketPruning,
    long alignment,
    long rounding) {

  /** How a dataset is picked for each step when there are several (spec data-pipeline §7.2). */
  public enum Sampling implements Spelled {
    AUTO_WEIGHTING("auto-weighting"), UNIFORM("uniform");
    private final String s;
    Sampling(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  /** {@code resolution_type} as the files spell it; {@code pixel_area} becomes area before use (spec §2.4). */
  public enum ResolutionType implements Spelled {
    PIXEL("pixel"), AREA("area"), PIXEL_AREA("pixel_area");
    private final String s;
    ResolutionType(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  /** What the latent-cache integrity scan does with an inconsistent entry (spec §5.2). */
  public enum ScanBehaviour implements Spelled {
    RECREATE("recreate"), SYNC("sync");
    private final String s;
    ScanBehaviour(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  static DataSettings from(ResolvedValues<TrainingKey> v) {
    return new DataSettings(v.text(DATA_BACKEND_CONFIG), v.integer(VAE_BATCH_SIZE),
        v.as(DATA_BACKEND_SAMPLING, Sampling.class), v.bool(ALLOW_DATASET_OVERSUBSCRIPTION),
        v.bool(DISABLE_BUCKET_PRUNING), v.integer(ASPECT_BUCKET_ALIGNMENT), v.integer(ASPECT_BUCKET_ROUNDING));
  }
}
