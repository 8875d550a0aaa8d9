package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * One block of a UNet level, on channels-last activations x [B, H, W, C]. Each takes a second input: the skip of its
 * level (the first ResBlock of a shallower up level, else null), the r embedding (TimestepBlock) or the CLIP
 * conditioning (AttnBlock).
 */
public sealed interface UNetBlock permits ResBlock, TimestepBlock, AttnBlock {

  BlockType type();

  /**
   * @param training dropout on (diffusers' train mode); off in eval and in the goldens
   * @param seed the dropout masks' seed; the same seed gives the same masks (checkpointed recomputation)
   */
  Tensor forward(Tensor x, Tensor aux, boolean training, long seed, Tape tape);

  /** {dL/dx, dL/d(aux)}; the second is null when the aux input needs no gradient (none, or the r embedding). */
  Tensor[] backward(Tensor dy, Tape tape);
}
