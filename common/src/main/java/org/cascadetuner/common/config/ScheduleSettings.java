package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

/**
 * How long and in what steps training runs, and the learning-rate schedule.
 *
 * @param maxTrainSteps null (or 0 in the file): run {@code numTrainEpochs} epochs instead
 * @param seed null: a random seed per launch
 * @param emaDecay used when {@code useEma}
 */
public record ScheduleSettings(
    LrScheduler lrScheduler,
    long warmupSteps,
    long numCycles,
    double power,
    Long maxTrainSteps,
    long numTrainEpochs,
    long trainBatchSize,
    long gradientAccumulationSteps,
    Long seed,
    double captionDropoutProbability,
    boolean useEma,
    double emaDecay) {

  public enum LrScheduler implements Spelled {
    CONSTANT("constant"), CONSTANT_WITH_WARMUP("constant_with_warmup"), LINEAR("linear"), COSINE("cosine"),
    COSINE_WITH_RESTARTS("cosine_with_restarts"), POLYNOMIAL("polynomial");
    private final String s;
    LrScheduler(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  static ScheduleSettings from(ResolvedValues<TrainingKey> v) {
    Long steps = v.optionalInteger(MAX_TRAIN_STEPS);
    return new ScheduleSettings(
        v.as(LR_SCHEDULER, LrScheduler.class),
        v.integer(LR_WARMUP_STEPS),
        v.integer(LR_NUM_CYCLES),
        v.real(LR_POWER),
        steps == null || steps == 0 ? null : steps,
        v.integer(NUM_TRAIN_EPOCHS),
        v.integer(TRAIN_BATCH_SIZE),
        v.integer(GRADIENT_ACCUMULATION_STEPS),
        v.optionalInteger(SEED),
        v.real(CAPTION_DROPOUT_PROBABILITY),
        v.bool(USE_EMA),
        v.real(EMA_DECAY));
  }
}
