/**
 * The Stable Cascade Stage C prior ({@code StableCascadeUNet}, spec stage-c-architecture.md §1), diffusers-style: the
 * model in {@link org.cascadetuner.common.models.stagec.StableCascadeUNet}, its blocks in small files beside it
 * ({@code ResBlock}, {@code TimestepBlock}, {@code AttnBlock}, {@code ClipConditioning}, {@code InputEmbedding},
 * {@code LevelScaler}, {@code OutputHead}), each with forward and backward side by side.
 *
 * <h2>Layout</h2>
 * Activations are channels-last [B, H, W, C] between the embedding and the output head: every LayerNorm2d, the
 * channelwise MLPs, the attention tokens and the 1×1 convolutions (level scalers, repeat mappers, embedding, clf)
 * work on the last axis, so nothing is transposed inside the network; the depthwise 3×3 runs on NHWC too
 * ({@code Backend.conv2dNhwc}). The model's input and output stay NCHW as in PyTorch.
 *
 * <h2>Names</h2>
 * Weights are diffusers' names everywhere ({@code down_blocks.0.2.attention.to_q.weight}); the original
 * {@code StageC} and ComfyUI namings are mapped when a file is opened
 * ({@link org.cascadetuner.common.models.stagec.StageCWeightNames}). Every dimension comes from {@code config.json}
 * ({@link org.cascadetuner.common.models.stagec.StableCascadeUNetConfig}); the module tree also yields the parameter
 * plan without allocating ({@code StableCascadeUNet.parameterShapes}).
 *
 * <h2>Training</h2>
 * {@code forward(inputs, tape, mode)} records what {@code backward(dOut, tape)} needs; {@code Mode} turns on dropout
 * (diffusers' placement: after GRN, and on the attention output) with seeded masks, and gradient checkpointing per
 * block (a checkpointed block recomputes its forward, with the same masks, inside backward). LoRA attaches to the
 * model's Linear layers ({@code linears()}) from models/lora.
 */
package org.cascadetuner.common.models.stagec;
