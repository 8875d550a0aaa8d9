package org.cascadetuner.common.config;

/**
 * A cache of caption embeddings.
 *
 * @param synthesized true when multidatabackend.json had no text_embeds dataset and this one was made (spec §1.2)
 */
public record TextEmbedDataset(
    String id,
    DatasetKey.StorageType storage,
    String cacheDir,
    boolean isDefault,
    CaptionFilter captionFilter,
    boolean synthesized,
    ResolvedValues<DatasetKey> values)
    implements DatasetConfig {}
