package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

/**
 * What is trained and how the frozen parts are held.
 *
 * @param effnetScale scale of the training crop fed to the EfficientNet (DESIGN decision 2)
 */
public record ModelSettings(
    Family family,
    Flavour flavour,
    ModelType modelType,
    String pretrainedModel,
    BasePrecision basePrecision,
    MixedPrecision mixedPrecision,
    boolean iKnowWhatIAmDoing,
    boolean gradientCheckpointing,
    ComputeBackend computeBackend,
    double effnetScale) {

  public enum Family implements Spelled {
    STABLE_CASCADE("stable_cascade");
    private final String s;
    Family(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  /** The prior's subfolder in the model repository differs per flavour (SimpleTuner's STAGE_C_SUBFOLDER_OVERRIDES). */
  public enum Flavour implements Spelled {
    STAGE_C("stage-c", "prior"), STAGE_C_LITE("stage-c-lite", "prior_lite");
    private final String s;
    private final String subfolder;
    Flavour(String s, String subfolder) { this.s = s; this.subfolder = subfolder; }
    @Override public String spelling() { return s; }
    public String subfolder() { return subfolder; }
  }

  public enum ModelType implements Spelled {
    LORA("lora"), FULL("full");
    private final String s;
    ModelType(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  /** How the frozen base weights are held: as loaded, or int8 weight-only (DESIGN decision 4). */
  public enum BasePrecision implements Spelled {
    NO_CHANGE("no_change"), INT8_WEIGHT_ONLY("int8-torchao");
    private final String s;
    BasePrecision(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  public enum MixedPrecision implements Spelled {
    NO("no"), FP32("fp32"), BF16("bf16"), FP16("fp16"), FP8("fp8");
    private final String s;
    MixedPrecision(String s) { this.s = s; }
    @Override public String spelling() { return s; }
    public boolean isFullPrecision() { return this == NO || this == FP32; }
  }

  /** The tensor engine's backend, found by name at start-up (DESIGN "The engine"). */
  public enum ComputeBackend implements Spelled {
    CPU("cpu"), ND4J_CUDA("nd4j-cuda"), CUDA("cuda");
    private final String s;
    ComputeBackend(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  static ModelSettings from(ResolvedValues<TrainingKey> v) {
    return new ModelSettings(
        v.as(MODEL_FAMILY, Family.class),
        v.as(MODEL_FLAVOUR, Flavour.class),
        v.as(MODEL_TYPE, ModelType.class),
        v.text(PRETRAINED_MODEL_NAME_OR_PATH),
        v.as(BASE_MODEL_PRECISION, BasePrecision.class),
        v.as(MIXED_PRECISION, MixedPrecision.class),
        v.bool(I_KNOW_WHAT_I_AM_DOING),
        v.bool(GRADIENT_CHECKPOINTING),
        v.as(COMPUTE_BACKEND, ComputeBackend.class),
        v.real(STABLE_CASCADE_EFFNET_SCALE));
  }
}
