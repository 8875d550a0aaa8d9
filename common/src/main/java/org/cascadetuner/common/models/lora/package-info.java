/**
 * LoRA for the Stage C prior (spec §5, DESIGN decision 9): adapters attached to an already built model's Linear
 * layers by module name ({@link org.cascadetuner.common.models.lora.LoraAdapters}), configured as PEFT's
 * {@code LoraConfig} ({@link org.cascadetuner.common.models.lora.LoraConfig}); read from and written as PEFT
 * ({@code adapter_model.safetensors} + {@code adapter_config.json}) or kohya/ComfyUI
 * ({@code lora_prior_unet_…lora_down/lora_up/alpha}) files ({@link org.cascadetuner.common.models.lora.LoraAdapterFile},
 * {@link org.cascadetuner.common.models.lora.LoraExport}), or merged into the base weights.
 */
package org.cascadetuner.common.models.lora;
