package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.ValueType.bool;
import static org.cascadetuner.common.config.ValueType.choice;
import static org.cascadetuner.common.config.ValueType.integer;
import static org.cascadetuner.common.config.ValueType.positive;
import static org.cascadetuner.common.config.ValueType.real;
import static org.cascadetuner.common.config.ValueType.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cascadetuner.common.config.CaptionConfig.Strategy;
import org.cascadetuner.common.config.DataSettings.ResolutionType;
import org.cascadetuner.common.config.DataSettings.Sampling;
import org.cascadetuner.common.config.DataSettings.ScanBehaviour;
import org.cascadetuner.common.config.LoraSettings.LoraType;
import org.cascadetuner.common.config.ModelSettings.BasePrecision;
import org.cascadetuner.common.config.ModelSettings.ComputeBackend;
import org.cascadetuner.common.config.ModelSettings.Family;
import org.cascadetuner.common.config.ModelSettings.Flavour;
import org.cascadetuner.common.config.ModelSettings.MixedPrecision;
import org.cascadetuner.common.config.ModelSettings.ModelType;
import org.cascadetuner.common.config.OptimizerSettings.ClipMethod;
import org.cascadetuner.common.config.OptimizerSettings.Optimizer;
import org.cascadetuner.common.config.ReportingSettings.ReportTo;
import org.cascadetuner.common.config.ScheduleSettings.LrScheduler;
import org.cascadetuner.common.config.ValueType.Sizes.Size;

/**
 * Every key of config.json (SimpleTuner's training configuration): name (the constant's name in lower case), type,
 * default and one line of documentation. Validation, {@code --set}, the unknown-key suggestion, README's key list
 * and provenance all read this table.
 *
 * <p>Defaults are SimpleTuner's field registry ({@code simpletuner/simpletuner_sdk/server/services/field_registry/
 * sections/*.py}; the Stage C values from {@code helpers/models/stable_cascade/model.py}), except where a doc says
 * otherwise. The distributed knobs follow DL4J's ParameterAveragingTrainingMaster.Builder defaults.
 */
public enum TrainingKey implements KeySpec {
  // model
  MODEL_FAMILY(choice(Family.values()), Family.STABLE_CASCADE,
      "Model architecture; `stable_cascade` is the only one (SimpleTuner requires the key)."),
  MODEL_FLAVOUR(choice(Flavour.values()), Flavour.STAGE_C,
      "Stage C prior: `stage-c` (3.6B, subfolder prior) or `stage-c-lite` (1B, subfolder prior_lite)."),
  MODEL_TYPE(choice(ModelType.values()), ModelType.FULL,
      "`lora`: train adapters on a frozen base; `full`: train every prior weight."),
  PRETRAINED_MODEL_NAME_OR_PATH(text(), "stabilityai/stable-cascade-prior",
      "Base model folder or Hugging Face repo id (prior/, prior_lite/, text_encoder/, tokenizer/)."),
  BASE_MODEL_PRECISION(choice(BasePrecision.values()), BasePrecision.NO_CHANGE,
      "Frozen base weights as loaded, or `int8-torchao`: int8 weight-only (LoRA; SimpleTuner's Stage C ignores it)."),
  MIXED_PRECISION(choice(MixedPrecision.values()), MixedPrecision.NO,
      "Stage C refuses all but `no`/`fp32` without i_know_what_i_am_doing (so the default is not SimpleTuner's bf16)."),
  I_KNOW_WHAT_I_AM_DOING(bool(), false,
      "Lift safety refusals (Stage C with mixed precision)."),
  GRADIENT_CHECKPOINTING(bool(), true,
      "Recompute each block's forward inside its backward to save activation memory."),
  COMPUTE_BACKEND(choice(ComputeBackend.values()), ComputeBackend.CPU,
      "Tensor engine: `cpu` (ND4J), `nd4j-cuda` (CUDA 11.6, up to Ampere) or `cuda` (CUDA 13, Hopper and later)."),
  STABLE_CASCADE_EFFNET_SCALE(real(0, 1).withMinExclusive(), 0.75,
      "Scale of the crop fed to the EfficientNet: 0.75 gives 24×24 latents at 1024 px, as Stage C was trained."),

  // schedule
  LEARNING_RATE(real(0, Double.MAX_VALUE), 4e-7,
      "Base learning rate."),
  LR_SCHEDULER(choice(LrScheduler.values()), LrScheduler.CONSTANT_WITH_WARMUP,
      "Learning-rate schedule."),
  LR_WARMUP_STEPS(integer(0, Long.MAX_VALUE), 0L,
      "Steps of linear warm-up from 0 to learning_rate."),
  LR_NUM_CYCLES(integer(1, Long.MAX_VALUE), 1L,
      "Number of cosine cycles of `cosine_with_restarts`."),
  LR_POWER(positive(), 0.8,
      "Power of the `polynomial` decay."),
  MAX_TRAIN_STEPS(integer(0, Long.MAX_VALUE), null,
      "Stop after this many optimizer steps; unset or 0: run num_train_epochs."),
  NUM_TRAIN_EPOCHS(integer(0, Long.MAX_VALUE), 1L,
      "Epochs to train when max_train_steps is unset."),
  TRAIN_BATCH_SIZE(integer(1, Long.MAX_VALUE), 4L,
      "Images per step on each worker (DL4J's batch size per worker); a dataset may set its own."),
  GRADIENT_ACCUMULATION_STEPS(integer(1, Long.MAX_VALUE), 1L,
      "Steps whose gradients are summed before one optimizer update."),
  SEED(integer(0, Integer.MAX_VALUE), null,
      "Seed of sampling, crops, dropout and noise; unset: a random seed per launch."),
  CAPTION_DROPOUT_PROBABILITY(real(0, 1), 0.1,
      "Chance that a sample's caption is replaced by the empty caption (spec data-pipeline §4.5)."),
  USE_EMA(bool(), false,
      "Keep an exponential moving average of the trained weights."),
  EMA_DECAY(real(0, 1), 0.995,
      "Decay of the moving average."),

  // optimizer
  OPTIMIZER(choice(Optimizer.values()), Optimizer.ADAMW_BF16,
      "`adamw`, `adamw_bf16` (AdamW over bfloat16-stored weights) or `sgd`."),
  ADAM_BETA1(real(0, 1).exclusiveMax(), 0.9,
      "AdamW first-moment decay."),
  ADAM_BETA2(real(0, 1).exclusiveMax(), 0.999,
      "AdamW second-moment decay."),
  ADAM_EPSILON(real(0, Double.MAX_VALUE), 1e-8,
      "AdamW denominator epsilon."),
  ADAM_WEIGHT_DECAY(real(0, Double.MAX_VALUE), 1e-2,
      "AdamW decoupled weight decay."),
  MAX_GRAD_NORM(real(0, Double.MAX_VALUE), 2.0,
      "Gradient clipping threshold; 0 disables clipping."),
  GRAD_CLIP_METHOD(choice(ClipMethod.values()), ClipMethod.VALUE,
      "`value`: clip each gradient element to ±max_grad_norm; `norm`: rescale by the global norm."),

  // LoRA
  LORA_RANK(integer(1, Long.MAX_VALUE), 16L,
      "LoRA rank r."),
  LORA_ALPHA(positive(), null,
      "LoRA alpha (scale alpha/r); unset: equal to lora_rank."),
  LORA_TYPE(choice(LoraType.values()), LoraType.STANDARD,
      "Adapter kind; only PEFT `standard` LoRA (no LyCORIS)."),
  LORA_DROPOUT(real(0, 1).exclusiveMax(), 0.1,
      "Dropout on the LoRA input during training."),
  PEFT_LORA_TARGET_MODULES(ValueType.textList(true), List.of("to_q", "to_k", "to_v", "to_out.0"),
      "Linear modules of every attention block that get an adapter (diffusers names)."),

  // checkpoints and output
  OUTPUT_DIR(text(), "simpletuner-results",
      "Folder (local, s3a:// or hdfs://) for checkpoints, caches, logs and exports."),
  CHECKPOINT_STEP_INTERVAL(integer(1, Long.MAX_VALUE), 500L,
      "Write a checkpoint every this many steps.", "checkpointing_steps"),
  CHECKPOINTS_TOTAL_LIMIT(integer(0, Long.MAX_VALUE), 5L,
      "Checkpoints kept (oldest deleted first); 0 keeps all."),
  RESUME_FROM_CHECKPOINT(text(), "latest",
      "`latest`, a checkpoint name or path; empty: start fresh."),

  // validation
  VALIDATION_PROMPT(text(), null,
      "Prompt rendered at each validation; unset: no prompt validation."),
  VALIDATION_NEGATIVE_PROMPT(text(), "blurry, cropped, ugly",
      "Negative prompt of the prior's classifier-free guidance."),
  VALIDATION_STEPS(integer(1, Long.MAX_VALUE), 100L,
      "Validate every this many steps.", "validation_step_interval"),
  VALIDATION_GUIDANCE(real(0, Double.MAX_VALUE), 7.5,
      "Guidance scale; the fallback of the prior and decoder guidance keys."),
  VALIDATION_NUM_INFERENCE_STEPS(integer(1, Long.MAX_VALUE), 30L,
      "Sampling steps; with the decoder these are the Stage B steps."),
  VALIDATION_RESOLUTION(new ValueType.Sizes(), List.of(new Size(256, 256)),
      "Validation image size(s): 1024 or \"1024x1024\", comma-separated for several."),
  VALIDATION_SEED(integer(0, Long.MAX_VALUE), null,
      "Seed of validation noise; unset: the training seed."),
  NUM_VALIDATION_IMAGES(integer(1, Long.MAX_VALUE), 1L,
      "Images per validation prompt."),
  USER_PROMPT_LIBRARY(text(), null,
      "JSON file of named validation prompts (name → prompt); relative: as given, else beside config.json."),
  VALIDATION_PROMPT_LIBRARY(bool(), false,
      "SimpleTuner's built-in prompt library (not available here); a path is read as user_prompt_library."),
  STABLE_CASCADE_USE_DECODER_FOR_VALIDATION(bool(), true,
      "Decode validation latents to images with Stage B + Stage A."),
  STABLE_CASCADE_DECODER_MODEL_NAME_OR_PATH(text(), "stabilityai/stable-cascade",
      "Decoder repository or folder (decoder/, decoder_lite/, vqgan/)."),
  STABLE_CASCADE_DECODER_SUBFOLDER(text(), null,
      "Stage B subfolder, e.g. `decoder_lite`; unset: `decoder`."),
  STABLE_CASCADE_DECODER_VARIANT(text(), null,
      "Weight file variant of the decoder repository (e.g. `bf16`)."),
  STABLE_CASCADE_DECODER_DTYPE(text(), null,
      "Recorded only: the decoder runs in float32 (DESIGN decision 8)."),
  STABLE_CASCADE_VALIDATION_PRIOR_NUM_INFERENCE_STEPS(integer(1, Long.MAX_VALUE), 20L,
      "Prior (Stage C) sampling steps."),
  STABLE_CASCADE_VALIDATION_PRIOR_GUIDANCE_SCALE(real(0, Double.MAX_VALUE), null,
      "Prior guidance scale; unset: validation_guidance."),
  STABLE_CASCADE_VALIDATION_DECODER_GUIDANCE_SCALE(real(0, Double.MAX_VALUE), null,
      "Stage B guidance scale, no guidance at or below 1; unset: validation_guidance."),
  STABLE_CASCADE_STAGE_A_SCALE(positive(), 0.3764,
      "Stage A latent scale of the decode (diffusers' 0.3764; the original code uses 0.43)."),

  // reporting and publishing
  REPORT_TO(choice(ReportTo.values()), ReportTo.NONE,
      "Metrics tracker; every choice but `none` writes TensorBoard event files."),
  LOGGING_DIR(text(), "logs",
      "TensorBoard folder, relative to output_dir."),
  HUB_MODEL_ID(text(), null,
      "Recorded in provenance; nothing is pushed to the Hugging Face Hub."),
  PUSH_TO_HUB(bool(), false,
      "Not supported: nothing is pushed (a warning when true)."),

  // data: the files and the dataset defaults config.json carries
  DATA_BACKEND_CONFIG(text(), null,
      "multidatabackend.json path; relative: as given, else beside config.json."),
  VAE_BATCH_SIZE(integer(1, Long.MAX_VALUE), 4L,
      "Images per EfficientNet batch in the latent job."),
  RESOLUTION(new ValueType.Num(), 1024L,
      "Dataset default resolution (pixel_area: edge in px)."),
  RESOLUTION_TYPE(choice(ResolutionType.values()), ResolutionType.PIXEL_AREA,
      "Dataset default resolution_type: `pixel` (short edge), `area` (megapixels), `pixel_area` (edge → area)."),
  MINIMUM_IMAGE_SIZE(new ValueType.Num(), null,
      "Dataset default minimum image size (in the dataset's unit; not converted under pixel_area, as in SimpleTuner)."),
  MAXIMUM_IMAGE_SIZE(new ValueType.Num(), null,
      "Dataset default maximum_image_size (a switch for the pre-crop resize, spec §3.6)."),
  TARGET_DOWNSAMPLE_SIZE(new ValueType.Num(), null,
      "Dataset default size of the pre-crop resize."),
  ASPECT_BUCKET_ALIGNMENT(ValueType.oneOfIntegers(8L, 16L, 24L, 32L, 64L), 64L,
      "Target sides are multiples of this many pixels."),
  ASPECT_BUCKET_ROUNDING(integer(1, 9), 2L,
      "Decimals of the aspect-ratio bucket key."),
  CAPTION_STRATEGY(choice(Strategy.values()), Strategy.FILENAME,
      "Dataset default caption source."),
  INSTANCE_PROMPT(text(), null,
      "Dataset default instance prompt."),
  PREPEND_INSTANCE_PROMPT(bool(), false,
      "Dataset default: prefix captions with the instance prompt."),
  ONLY_INSTANCE_PROMPT(bool(), false,
      "Dataset default: every caption is the instance prompt."),
  COMPRESS_DISK_CACHE(bool(), true,
      "Dataset default of compress_cache."),
  CACHE_DIR_TEXT(text(), "cache",
      "Default cache_dir of text_embeds datasets."),
  SKIP_FILE_DISCOVERY(text(), "",
      "Dataset default: steps to skip, any of `vae aspect text metadata`."),
  DELETE_UNWANTED_IMAGES(bool(), false,
      "Dataset default: delete too-small images from the source (destructive)."),
  DELETE_PROBLEMATIC_IMAGES(bool(), false,
      "Dataset default: delete undecodable images from the source (destructive)."),
  VAE_CACHE_SCAN_BEHAVIOUR(choice(ScanBehaviour.values()), ScanBehaviour.RECREATE,
      "What scan_for_errors does with an inconsistent latent: `recreate` or `sync`."),
  DATA_BACKEND_SAMPLING(choice(Sampling.values()), Sampling.AUTO_WEIGHTING,
      "How a dataset is chosen per step: weighted by size (`auto-weighting`) or by probability only (`uniform`)."),
  ALLOW_DATASET_OVERSUBSCRIPTION(bool(), false,
      "Pad a bucket smaller than the effective batch instead of failing (spec §7.1)."),
  DISABLE_BUCKET_PRUNING(bool(), false,
      "Keep buckets smaller than a batch after filtering (spec §3.8)."),

  // distributed training
  AVERAGING_FREQUENCY(integer(1, Long.MAX_VALUE), 5L,
      "Local steps each worker takes between two parameter averagings."),
  AVERAGE_OPTIMIZER_STATE(bool(), true,
      "Average (and keep) the optimizer moments too, as DL4J's saveUpdater.", "save_updater"),
  WORKER_PREFETCH(integer(0, Long.MAX_VALUE), 0L,
      "Batches each worker reads ahead.");

  private final ValueType type;
  private final Object defaultValue;
  private final String doc;
  private final List<String> aliases;

  TrainingKey(ValueType type, Object defaultValue, String doc, String... aliases) {
    this.type = type;
    this.defaultValue = defaultValue;
    this.doc = doc;
    this.aliases = List.of(aliases);
  }

  @Override
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public ValueType type() {
    return type;
  }

  @Override
  public Object defaultValue() {
    return defaultValue;
  }

  @Override
  public String doc() {
    return doc;
  }

  @Override
  public List<String> aliases() {
    return aliases;
  }

  private static final Map<String, TrainingKey> BY_NAME = new HashMap<>();

  static {
    for (TrainingKey k : values()) {
      BY_NAME.put(k.key(), k);
      for (String a : k.aliases) BY_NAME.put(a, k);
    }
  }

  /** The key named {@code name} or one of its aliases, or null. */
  public static TrainingKey lookup(String name) {
    return BY_NAME.get(name);
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(TrainingKey::key).toList();
  }
}
