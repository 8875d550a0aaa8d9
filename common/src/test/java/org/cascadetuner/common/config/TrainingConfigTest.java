package org.cascadetuner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cascadetuner.common.config.Diagnostic.Severity;
import org.cascadetuner.common.config.ModelSettings.MixedPrecision;
import org.cascadetuner.common.config.ScheduleSettings.LrScheduler;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

  private static Diagnostics diagnostics;

  static TrainingConfig read(String json, String... overrides) {
    diagnostics = new Diagnostics();
    return TrainingConfigReader.read(Vectors.parse(json), List.of(overrides), diagnostics.in("config.json", null),
        diagnostics.in("--set", null));
  }

  static List<Diagnostic> errors() {
    return diagnostics.of(Severity.ERROR);
  }

  static List<Diagnostic> warnings() {
    return diagnostics.of(Severity.WARNING);
  }

  @Test
  void everyDefaultIsAValueOfItsKeysType() throws InvalidValue {
    for (TrainingKey k : TrainingKey.values()) {
      if (k.defaultValue() == null) continue;
      assertEquals(k.defaultValue(), k.type().fromJson(k.type().toJson(k.defaultValue())), k.key());
    }
    for (DatasetKey k : DatasetKey.values()) {
      if (k.defaultValue() == null) continue;
      assertEquals(k.defaultValue(), k.type().fromJson(k.type().toJson(k.defaultValue())), k.key());
    }
  }

  @Test
  void anEmptyFileIsTheDefaults() {
    TrainingConfig c = read("{}");
    assertEquals(List.of(), diagnostics.list());
    for (TrainingKey k : TrainingKey.values()) assertEquals(k.defaultValue(), c.values().get(k), k.key());
    assertEquals(c.lora().rank(), (long) c.lora().alpha(), "lora_alpha unset: equal to the rank");
    assertEquals(c.validation().guidance(), c.validation().priorGuidance(), 0.0);
    assertEquals(c.validation().guidance(), c.validation().decoderGuidance(), 0.0);
    assertNull(c.schedule().maxTrainSteps());
  }

  @Test
  void allErrorsOfAFileAreReportedAtOnce() {
    read("{\"learning_rate\": \"fast\", \"lr_scheduler\": \"sine\", \"train_batch_size\": 0, \"seed\": 4.5}");
    List<Diagnostic> errors = errors();
    assertEquals(List.of("learning_rate", "lr_scheduler", "train_batch_size", "seed"),
        errors.stream().map(Diagnostic::key).toList());
    for (Diagnostic e : errors) {
      assertTrue(e.value() != null && e.allowed() != null, e.render());
      assertTrue(e.render().contains(e.value()) && e.render().contains(e.key()), e.render());
    }
    assertTrue(errors.get(1).allowed().contains("'cosine_with_restarts'"), errors.get(1).allowed());
  }

  @Test
  void anUnknownKeyWarnsWithTheClosestKnownKey() {
    read("{\"learnig_rate\": 1e-4, \"validation_promt\": \"a cat\"}");
    assertEquals(List.of(), errors());
    assertTrue(warnings().get(0).message().contains("\"learning_rate\""), warnings().get(0).message());
    assertTrue(warnings().get(1).message().contains("\"validation_prompt\""), warnings().get(1).message());
  }

  @Test
  void valuesAreReadAsArgparseReadsThem() {
    TrainingConfig c = read("{\"--train_batch_size\": \"8\", \"use_ema\": \"yes\", \"learning_rate\": \"2e-5\","
        + " \"checkpointing_steps\": 250, \"lr_scheduler\": \"polynomial\", \"validation_resolution\": 1024,"
        + " \"peft_lora_target_modules\": \"[\\\"to_q\\\", \\\"to_v\\\"]\"}");
    assertEquals(List.of(), diagnostics.list());
    assertEquals(8, c.schedule().trainBatchSize());
    assertTrue(c.schedule().useEma());
    assertEquals(2e-5, c.optimizer().learningRate(), 0.0);
    assertEquals(250, c.checkpoints().stepInterval(), "the old key name is an alias");
    assertEquals(LrScheduler.POLYNOMIAL, c.schedule().lrScheduler());
    assertEquals(List.of(new ValueType.Sizes.Size(1024, 1024)), c.validation().resolutions());
    assertEquals(List.of("to_q", "to_v"), c.lora().targetModules());
  }

  @Test
  void integersWithAFractionAreRefused() {
    read("{\"train_batch_size\": 4.0, \"lora_rank\": \"16.0\"}");
    assertEquals(List.of("train_batch_size", "lora_rank"), errors().stream().map(Diagnostic::key).toList());
  }

  @Test
  void stageCRefusesMixedPrecisionWithSimpleTunersMessage() {
    read("{\"mixed_precision\": \"bf16\"}");
    assertEquals(1, errors().size());
    Diagnostic e = errors().get(0);
    assertEquals("mixed_precision", e.key());
    assertTrue(e.message().contains("Stable Cascade Stage C requires --mixed_precision=no to run in full precision"));
    assertTrue(e.allowed().contains("'no'") && e.allowed().contains("'fp32'"));

    TrainingConfig c = read("{\"mixed_precision\": \"bf16\", \"i_know_what_i_am_doing\": true}");
    assertEquals(List.of(), errors());
    assertEquals(MixedPrecision.BF16, c.model().mixedPrecision());
    assertTrue(warnings().get(0).message().contains("due to i_know_what_i_am_doing"));

    read("{\"mixed_precision\": \"fp32\"}");
    assertEquals(List.of(), diagnostics.list());
  }

  @Test
  void int8BaseWeightsNeedAFrozenBase() {
    read("{\"base_model_precision\": \"int8-torchao\", \"model_type\": \"full\"}");
    assertEquals(List.of("base_model_precision"), errors().stream().map(Diagnostic::key).toList());
    read("{\"base_model_precision\": \"int8-quanto\", \"model_type\": \"lora\"}");
    assertTrue(errors().get(0).allowed().contains("'int8-torchao'"));
  }

  @Test
  void aPromptLibraryPathInValidationPromptLibraryIsReadAsUserPromptLibrary() {
    TrainingConfig c = read("{\"validation_prompt_library\": \"config/stable_cascade/prompt_library.json\"}");
    assertEquals("config/stable_cascade/prompt_library.json", c.validation().promptLibrary());
    assertEquals(List.of("validation_prompt_library"), warnings().stream().map(Diagnostic::key).toList());
    assertFalse(c.values().bool(TrainingKey.VALIDATION_PROMPT_LIBRARY));
  }

  @Test
  void aDecoderGuidanceThatChangesNothingWarns() {
    read("{\"stable_cascade_validation_decoder_guidance_scale\": 0.5}");
    assertEquals(List.of("stable_cascade_validation_decoder_guidance_scale"),
        warnings().stream().map(Diagnostic::key).toList());
  }

  @Test
  void aFileThatIsNotAnObjectIsAnError() {
    read("[1, 2]");
    assertEquals(1, errors().size());
  }
}
