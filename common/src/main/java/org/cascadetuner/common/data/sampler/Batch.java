package org.cascadetuner.common.data.sampler;

import java.util.List;

/**
 * One training batch: images of one bucket of one dataset (so one target size and latent shape).
 *
 * @param step the batch's index in its epoch (0-based); with the epoch it names the batch uniquely
 * @param pass which pass over the dataset (0 … repeats) produced it
 */
public record Batch(String datasetId, String bucket, List<String> images, int epoch, int pass, long step)
    implements java.io.Serializable {
  public Batch {
    images = List.copyOf(images);
  }
}
