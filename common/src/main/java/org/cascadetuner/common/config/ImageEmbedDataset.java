package org.cascadetuner.common.config;

/** Storage for latents of the image datasets that name it in {@code image_embeds}. */
public record ImageEmbedDataset(String id, DatasetKey.StorageType storage, ResolvedValues<DatasetKey> values)
    implements DatasetConfig {}
