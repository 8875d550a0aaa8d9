package org.cascadetuner.common.data.sampler;

import java.io.Serializable;

/**
 * Where a sampler stands: the next batch is batch {@code step} of {@code epoch}. With the sampler's seed and
 * datasets this is the whole state (every draw is a function of them), so a checkpoint stores just this.
 *
 * @param layout fingerprint of the seed and dataset layout the cursor belongs to ({@link BucketSampler#layout()})
 */
public record SamplerCursor(int epoch, long step, String layout) implements Serializable {
  public SamplerCursor {
    if (epoch < 0 || step < 0) throw new IllegalArgumentException("sampler cursor must not be negative: " + epoch + "/" + step);
  }
}
