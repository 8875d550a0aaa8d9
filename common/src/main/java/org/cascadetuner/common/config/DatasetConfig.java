package org.cascadetuner.common.config;

/**
 * One enabled entry of multidatabackend.json, resolved: defaults filled in, placeholders substituted, pixel_area
 * normalised. {@link #values()} holds every key of the entry's kind (for printing and provenance).
 */
public sealed interface DatasetConfig permits ImageDataset, TextEmbedDataset, ImageEmbedDataset {
  String id();

  DatasetKey.StorageType storage();

  ResolvedValues<DatasetKey> values();
}
