package org.cascadetuner.common.config;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;

/**
 * config.json, resolved: every {@link TrainingKey} with its value or default, grouped into typed settings.
 * {@link #values()} keeps the full table (for printing, provenance and the dataset defaults it carries).
 */
public record TrainingConfig(
    ModelSettings model,
    ScheduleSettings schedule,
    OptimizerSettings optimizer,
    LoraSettings lora,
    CheckpointSettings checkpoints,
    ValidationSettings validation,
    ReportingSettings reporting,
    DataSettings data,
    DistributedSettings distributed,
    ResolvedValues<TrainingKey> values) {

  public static TrainingConfig of(ResolvedValues<TrainingKey> v) {
    return new TrainingConfig(ModelSettings.from(v), ScheduleSettings.from(v), OptimizerSettings.from(v),
        LoraSettings.from(v), CheckpointSettings.from(v), ValidationSettings.from(v), ReportingSettings.from(v),
        DataSettings.from(v), DistributedSettings.from(v), v);
  }

  /** Every key at its default: what an empty config.json means. */
  public static TrainingConfig defaults() {
    Map<TrainingKey, Object> v = new EnumMap<>(TrainingKey.class);
    for (TrainingKey k : TrainingKey.values()) v.put(k, k.defaultValue());
    return of(new ResolvedValues<>(TrainingKey.class, v, EnumSet.noneOf(TrainingKey.class)));
  }
}
