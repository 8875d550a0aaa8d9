package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.TrainingKey.*;

import java.util.List;

/**
 * The LoRA adapter (PEFT "standard" LoRA on the named Linear modules of every attention block).
 *
 * @param alpha {@code lora_alpha}, or the rank when unset (scale = alpha / rank)
 */
public record LoraSettings(long rank, double alpha, LoraType type, double dropout, List<String> targetModules) {

  public LoraSettings {
    targetModules = List.copyOf(targetModules);
  }

  public enum LoraType implements Spelled {
    STANDARD("standard");
    private final String s;
    LoraType(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  static LoraSettings from(ResolvedValues<TrainingKey> v) {
    long rank = v.integer(LORA_RANK);
    Double alpha = v.optionalReal(LORA_ALPHA);
    return new LoraSettings(rank, alpha == null ? rank : alpha, v.as(LORA_TYPE, LoraType.class),
        v.real(LORA_DROPOUT), v.texts(PEFT_LORA_TARGET_MODULES));
  }
}
