package org.cascadetuner.common.config;

import java.util.Objects;
import org.cascadetuner.common.data.GeometryConfig;

/**
 * A dataset of captioned images to train on.
 *
 * @param location where the images are: instance_data_dir (a path or URI) for local storage, s3a://bucket/prefix
 *     for aws; null when not given
 * @param textEmbeds id of the text_embeds dataset that caches its captions
 * @param imageEmbeds id of an image_embeds dataset, or null
 * @param cacheDirVae latent cache folder
 */
public record ImageDataset(
    String id,
    DatasetKey.StorageType storage,
    String location,
    GeometryConfig geometry,
    CaptionConfig captions,
    SamplingConfig sampling,
    String textEmbeds,
    String imageEmbeds,
    String cacheDirVae,
    ResolvedValues<DatasetKey> values)
    implements DatasetConfig {

  public ImageDataset {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(geometry, "geometry");
  }
}
