package org.cascadetuner.common.data.sampler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.cascadetuner.common.data.BucketKeys;

/**
 * One training dataset as the sampler sees it: its images grouped by bucket key (sorted, empty buckets dropped),
 * its batch size, {@code repeats} (extra passes per epoch) and {@code probability} (sampling weight; 0 = never
 * sampled). A path listed twice in a bucket is two occurrences, yielded twice per pass.
 */
public record SamplerDataset(String id, SortedMap<String, List<String>> buckets, int batchSize, int repeats,
    double probability) implements java.io.Serializable {
  public SamplerDataset {
    Objects.requireNonNull(id, "id");
    if (batchSize < 1) throw new IllegalArgumentException("(id=" + id + ") train_batch_size must be a positive integer, got " + batchSize);
    if (repeats < 0) throw new IllegalArgumentException("(id=" + id + ") repeats must be >= 0, got " + repeats);
    if (!(probability >= 0) || Double.isInfinite(probability)) {
      throw new IllegalArgumentException("(id=" + id + ") probability must be a number >= 0, got " + probability);
    }
    TreeMap<String, List<String>> sorted = new TreeMap<>(BucketKeys.ORDER);
    for (Map.Entry<String, List<String>> e : buckets.entrySet()) {
      if (!e.getValue().isEmpty()) sorted.put(e.getKey(), List.copyOf(e.getValue()));
    }
    buckets = java.util.Collections.unmodifiableSortedMap(sorted);
  }

  public static SamplerDataset of(String id, Map<String, List<String>> buckets, int batchSize) {
    return new SamplerDataset(id, new TreeMap<>(buckets), batchSize, 0, 1.0);
  }

  public long imageCount() {
    long n = 0;
    for (List<String> b : buckets.values()) n += b.size();
    return n;
  }

  /** Batches in one pass: {@code Σ_b ceil(n_b / batch)} (every bucket's last batch is topped up). */
  public long passLength() {
    long n = 0;
    for (List<String> b : buckets.values()) n += ceilDiv(b.size(), batchSize);
    return n;
  }

  /** Batches in one epoch: {@code (repeats + 1) × passLength()}. */
  public long epochLength() {
    return (repeats + 1L) * passLength();
  }

  /** SimpleTuner's {@code len(sampler)}: {@code ceil(n_total·(repeats+1) / batch)} (§7.2), used for auto-weighting. */
  public long samplerLength() {
    return ceilDiv(imageCount() * (repeats + 1L), batchSize);
  }

  /**
   * SimpleTuner's {@code len(metadata_backend)}: {@code Σ ceil(n_b·(repeats+1)/batch)} over the buckets with
   * {@code n_b·(repeats+1) ≥ batch} (§7.2), the basis of its steps-per-epoch estimate.
   */
  public long metadataLength() {
    long n = 0;
    for (List<String> b : buckets.values()) {
      long samples = b.size() * (repeats + 1L);
      if (samples >= batchSize) n += ceilDiv(samples, batchSize);
    }
    return n;
  }

  /** Bucket key → image count, sorted. */
  public SortedMap<String, Integer> bucketSizes() {
    TreeMap<String, Integer> m = new TreeMap<>(BucketKeys.ORDER);
    buckets.forEach((k, v) -> m.put(k, v.size()));
    return m;
  }

  static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  List<String> bucketKeys() {
    return new ArrayList<>(buckets.keySet());
  }
}
