package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Function;
import org.cascadetuner.common.config.ModelSettings.BasePrecision;
import org.cascadetuner.common.config.ModelSettings.MixedPrecision;
import org.cascadetuner.common.config.ModelSettings.ModelType;
import org.cascadetuner.common.config.ReportingSettings.ReportTo;

/**
 * config.json rules beyond each key's type: Stage C's precision refusal (SimpleTuner's
 * {@code StableCascadeStageC.check_user_config}) and the keys cascade-tuner reads differently from SimpleTuner, each
 * with a warning that names the key (DESIGN decisions 4 and 8).
 */
final class TrainingRules {
  private TrainingRules() {}

  /**
   * Before typing: the quickstart text enables its prompt library with {@code "validation_prompt_library": "<path>"},
   * while SimpleTuner's key of that name is a boolean and the path key is user_prompt_library; a path is read as
   * user_prompt_library.
   */
  static JsonNode rewrite(JsonNode root, Diagnostics.Scope d) {
    String name = root.has("validation_prompt_library") ? "validation_prompt_library"
        : root.has("--validation_prompt_library") ? "--validation_prompt_library" : null;
    if (name == null) return root;
    JsonNode v = root.get(name);
    if (!v.isTextual()) return root;
    try {
      ValueType.bool().fromText(v.textValue());
      return root;
    } catch (InvalidValue pathNotBoolean) {
      ObjectNode copy = ((ObjectNode) root).deepCopy();
      copy.remove(name);
      if (copy.has("user_prompt_library") || copy.has("--user_prompt_library")) {
        d.warning("validation_prompt_library", v.toString(), "validation_prompt_library is a true/false switch;"
            + " the path is ignored because user_prompt_library is also set.");
      } else {
        copy.set("user_prompt_library", v);
        d.warning("validation_prompt_library", v.toString(), "validation_prompt_library " + v + " is read as"
            + " user_prompt_library (SimpleTuner's validation_prompt_library is a true/false switch).");
      }
      return copy;
    }
  }

  /**
   * @param where the scope of a finding about a key: {@code --set} when an override gave it, else config.json
   */
  static void check(ResolvedValues<TrainingKey> v, Function<TrainingKey, Diagnostics.Scope> where) {
    MixedPrecision precision = v.as(MIXED_PRECISION, MixedPrecision.class);
    if (!precision.isFullPrecision()) {
      Diagnostics.Scope d = where.apply(MIXED_PRECISION);
      String value = "\"" + precision.spelling() + "\"";
      if (v.bool(I_KNOW_WHAT_I_AM_DOING)) {
        d.warning("mixed_precision", value, "Stable Cascade Stage C is running with mixed_precision="
            + precision.spelling() + " due to i_know_what_i_am_doing.");
      } else {
        d.error("mixed_precision", value, "Stable Cascade Stage C requires --mixed_precision=no to run in full"
            + " precision (or set i_know_what_i_am_doing).", "one of ['no', 'fp32']");
      }
    }
    if (v.as(BASE_MODEL_PRECISION, BasePrecision.class) == BasePrecision.INT8_WEIGHT_ONLY) {
      Diagnostics.Scope d = where.apply(BASE_MODEL_PRECISION);
      if (v.as(MODEL_TYPE, ModelType.class) == ModelType.FULL) {
        d.error("base_model_precision", "\"int8-torchao\"", "base_model_precision int8-torchao quantises the frozen"
            + " base weights, but model_type full trains them: use model_type lora or no_change.",
            "one of ['no_change'] with model_type full");
      } else {
        d.warning("base_model_precision", "\"int8-torchao\"", "base_model_precision \"int8-torchao\" holds the frozen"
            + " base weights as int8, weight-only (SimpleTuner's Stage C ignores this key and keeps them in full"
            + " precision).");
      }
    }
    ReportTo report = v.as(REPORT_TO, ReportTo.class);
    if (report != ReportTo.NONE && report != ReportTo.TENSORBOARD) {
      where.apply(REPORT_TO).warning("report_to", "\"" + report.spelling() + "\"", "report_to \""
          + report.spelling() + "\" falls back to TensorBoard event files under output_dir/" + v.text(LOGGING_DIR)
          + " (no Java client for it).");
    }
    if (v.text(HUB_MODEL_ID) != null) {
      where.apply(HUB_MODEL_ID).warning("hub_model_id", "\"" + v.text(HUB_MODEL_ID) + "\"", "hub_model_id is"
          + " recorded in the run's provenance; cascade-tuner pushes nothing to the Hugging Face Hub.");
    }
    if (v.bool(PUSH_TO_HUB)) {
      where.apply(PUSH_TO_HUB).warning("push_to_hub", "true", "push_to_hub is not supported: nothing is pushed;"
          + " the exports stay in output_dir.");
    }
    if (v.bool(VALIDATION_PROMPT_LIBRARY)) {
      where.apply(VALIDATION_PROMPT_LIBRARY).warning("validation_prompt_library", "true", "SimpleTuner's built-in"
          + " prompt library is not available; name a prompt library file in user_prompt_library.");
    }
    String dtype = v.text(STABLE_CASCADE_DECODER_DTYPE);
    if (dtype != null && !dtype.equals("fp32") && !dtype.equals("float32")) {
      where.apply(STABLE_CASCADE_DECODER_DTYPE).warning("stable_cascade_decoder_dtype", "\"" + dtype + "\"",
          "the validation decoder runs in float32 (DESIGN decision 8); stable_cascade_decoder_dtype is recorded only.");
    }
    Double decoder = v.optionalReal(STABLE_CASCADE_VALIDATION_DECODER_GUIDANCE_SCALE);
    TrainingKey guidanceKey = decoder != null ? STABLE_CASCADE_VALIDATION_DECODER_GUIDANCE_SCALE : VALIDATION_GUIDANCE;
    double w = v.real(guidanceKey);
    if (w > 0 && w <= 1) {
      where.apply(guidanceKey).warning(guidanceKey.key(), Double.toString(w), "a decoder guidance scale of " + w
          + " changes nothing: Stage B uses classifier-free guidance only above 1 (as diffusers).");
    }
    Long steps = v.optionalInteger(MAX_TRAIN_STEPS);
    if ((steps == null || steps == 0) && v.integer(NUM_TRAIN_EPOCHS) == 0) {
      where.apply(NUM_TRAIN_EPOCHS).error("num_train_epochs", "0", "Nothing to train: set max_train_steps or"
          + " num_train_epochs above 0.", "a positive integer");
    }
  }
}
