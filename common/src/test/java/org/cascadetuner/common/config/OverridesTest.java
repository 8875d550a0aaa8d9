package org.cascadetuner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cascadetuner.common.config.Diagnostic.Severity;
import org.cascadetuner.common.config.ModelSettings.Flavour;
import org.junit.jupiter.api.Test;

/** {@code --set key=value}: typed by the key's type, after the file, with errors that name the key. */
class OverridesTest {

  @Test
  void anOverrideReplacesTheFilesValueWithATypedValue() {
    TrainingConfig c = TrainingConfigTest.read("{\"learning_rate\": 1e-4, \"model_flavour\": \"stage-c\"}",
        "learning_rate=3e-5", "model_flavour=stage-c-lite", "use_ema=true", "peft_lora_target_modules=to_q,to_k",
        "validation_resolution=1024x768,512", "validation_prompt=a=b");
    assertEquals(List.of(), TrainingConfigTest.errors());
    assertEquals(3e-5, c.optimizer().learningRate(), 0.0);
    assertEquals(Flavour.STAGE_C_LITE, c.model().flavour());
    assertTrue(c.schedule().useEma());
    assertEquals(List.of("to_q", "to_k"), c.lora().targetModules());
    assertEquals(List.of(new ValueType.Sizes.Size(1024, 768), new ValueType.Sizes.Size(512, 512)),
        c.validation().resolutions());
    assertEquals("a=b", c.validation().prompt(), "only the first = separates key and value");
    assertTrue(c.values().given(TrainingKey.USE_EMA));
  }

  @Test
  void aRuleBrokenByAnOverrideIsReportedAgainstTheOverride() {
    TrainingConfigTest.read("{\"mixed_precision\": \"no\", \"report_to\": \"wandb\"}", "mixed_precision=bf16");
    List<Diagnostic> errors = TrainingConfigTest.errors();
    assertEquals(List.of("--set mixed_precision"), errors.stream().map(e -> e.source() + " " + e.key()).toList());
    assertEquals("config.json", TrainingConfigTest.warnings().get(0).source());
  }

  @Test
  void anUnknownKeyIsAnErrorNamingTheClosestKey() {
    TrainingConfigTest.read("{}", "learnig_rate=1e-4");
    List<Diagnostic> errors = TrainingConfigTest.errors();
    assertEquals(1, errors.size());
    assertEquals("--set", errors.get(0).source());
    assertTrue(errors.get(0).message().contains("\"learning_rate\""), errors.get(0).message());
  }

  @Test
  void badValuesAndMissingEqualsAreErrorsAndAllAreReported() {
    TrainingConfigTest.read("{}", "train_batch_size=four", "optimizer=lion", "seed", "caption_dropout_probability=2");
    List<Diagnostic> errors = TrainingConfigTest.errors();
    assertEquals(4, errors.size(), errors.toString());
    assertEquals("train_batch_size", errors.get(0).key());
    assertEquals("\"four\"", errors.get(0).value());
    assertEquals("a positive integer", errors.get(0).allowed());
    assertTrue(errors.get(1).allowed().contains("'adamw'"), errors.get(1).allowed());
    assertEquals("key=value", errors.get(2).allowed());
    assertEquals("caption_dropout_probability", errors.get(3).key());
    assertTrue(errors.stream().allMatch(e -> e.severity() == Severity.ERROR && e.source().equals("--set")));
  }
}
