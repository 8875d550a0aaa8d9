package org.cascadetuner.common.diffusion;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * Stage C's conditioning inputs: CLIP-G text hidden states [B, 77, D], the pooled text embedding [B, 1, P], the CLIP
 * image embedding [B, n, I] (zeros for text-to-image). Owns its tensors.
 */
public record PriorConditioning(Tensor clipText, Tensor clipTextPooled, Tensor clipImg) implements AutoCloseable {

  public long batch() {
    return clipText.size(0);
  }

  /** {@code [this; other]} along the batch axis: the classifier-free-guidance batch, conditional half first. */
  public PriorConditioning concat(PriorConditioning other) {
    Backend be = clipText.backend();
    return new PriorConditioning(be.concat(0, clipText, other.clipText), be.concat(0, clipTextPooled,
        other.clipTextPooled), be.concat(0, clipImg, other.clipImg));
  }

  @Override
  public void close() {
    clipText.close();
    clipTextPooled.close();
    clipImg.close();
  }
}
