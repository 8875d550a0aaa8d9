package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

/** The optimizer and gradient clipping. */
public record OptimizerSettings(
    Optimizer optimizer,
    double learningRate,
    double beta1,
    double beta2,
    double epsilon,
    double weightDecay,
    double maxGradNorm,
    ClipMethod clipMethod) {

  /** {@code adamw_bf16}: AdamW over bfloat16-stored weights (SimpleTuner's default optimizer). */
  public enum Optimizer implements Spelled {
    ADAMW("adamw"), ADAMW_BF16("adamw_bf16"), SGD("sgd");
    private final String s;
    Optimizer(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  /** SimpleTuner clips each gradient value by default; {@code norm} rescales by the global norm. */
  public enum ClipMethod implements Spelled {
    VALUE("value"), NORM("norm");
    private final String s;
    ClipMethod(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  static OptimizerSettings from(ResolvedValues<TrainingKey> v) {
    return new OptimizerSettings(
        v.as(OPTIMIZER, Optimizer.class),
        v.real(LEARNING_RATE),
        v.real(ADAM_BETA1),
        v.real(ADAM_BETA2),
        v.real(ADAM_EPSILON),
        v.real(ADAM_WEIGHT_DECAY),
        v.real(MAX_GRAD_NORM),
        v.as(GRAD_CLIP_METHOD, ClipMethod.class));
  }
}
