package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

import java.util.List;
import org.cascadetuner.common.config.ValueType.Sizes.Size;

/**
 * Validation sampling: the prior, then (when {@code useDecoder}) Stage B + Stage A as diffusers'
 * StableCascadeCombinedPipeline does (spec decoder-architecture §3.6).
 *
 * @param prompt null: no prompt-based validation
 * @param promptLibrary path of a prompt library file (name → prompt), or null
 * @param priorGuidance {@code stable_cascade_validation_prior_guidance_scale}, else {@code validation_guidance}
 * @param decoderGuidance {@code stable_cascade_validation_decoder_guidance_scale}, else {@code validation_guidance};
 *     classifier-free guidance only when above 1
 * @param decoderSubfolder null: the decoder repository's own {@code decoder}
 */
public record ValidationSettings(
    String prompt,
    String negativePrompt,
    long everySteps,
    double guidance,
    long decoderSteps,
    List<Size> resolutions,
    Long seed,
    long numImages,
    String promptLibrary,
    long priorSteps,
    double priorGuidance,
    double decoderGuidance,
    boolean useDecoder,
    String decoderModel,
    String decoderSubfolder,
    String decoderVariant,
    double stageAScale) {

  public ValidationSettings {
    resolutions = List.copyOf(resolutions);
  }

  @SuppressWarnings("unchecked")
  static ValidationSettings from(ResolvedValues<TrainingKey> v) {
    double guidance = v.real(VALIDATION_GUIDANCE);
    Double prior = v.optionalReal(STABLE_CASCADE_VALIDATION_PRIOR_GUIDANCE_SCALE);
    Double decoder = v.optionalReal(STABLE_CASCADE_VALIDATION_DECODER_GUIDANCE_SCALE);
    return new ValidationSettings(
        v.text(VALIDATION_PROMPT),
        v.text(VALIDATION_NEGATIVE_PROMPT),
        v.integer(VALIDATION_STEPS),
        guidance,
        v.integer(VALIDATION_NUM_INFERENCE_STEPS),
        (List<Size>) v.get(VALIDATION_RESOLUTION),
        v.optionalInteger(VALIDATION_SEED),
        v.integer(NUM_VALIDATION_IMAGES),
        v.text(USER_PROMPT_LIBRARY),
        v.integer(STABLE_CASCADE_VALIDATION_PRIOR_NUM_INFERENCE_STEPS),
        prior == null ? guidance : prior,
        decoder == null ? guidance : decoder,
        v.bool(STABLE_CASCADE_USE_DECODER_FOR_VALIDATION),
        v.text(STABLE_CASCADE_DECODER_MODEL_NAME_OR_PATH),
        v.text(STABLE_CASCADE_DECODER_SUBFOLDER),
        v.text(STABLE_CASCADE_DECODER_VARIANT),
        v.real(STABLE_CASCADE_STAGE_A_SCALE));
  }
}
