package org.cascadetuner.common.data.sampler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.cascadetuner.common.data.BucketKeys;
import org.cascadetuner.common.data.PyRandom;

/**
 * SimpleTuner's rules around batching (spec data-pipeline §7.1, §7.2): the zero-usable-batches check, the
 * oversubscription padding, its per-rank image split, and the steps-per-epoch estimate.
 *
 * <p>cascade-tuner's own trainer shares <em>batches</em> among workers ({@link WorkerSplit}), so it needs neither
 * the per-rank image split nor the padding to stay balanced; they are here to reproduce SimpleTuner's behaviour
 * (and its acceptance or rejection of a configuration) where a caller asks for it.
 */
public final class BatchRules {
  private BatchRules() {}

  /**
   * Fails when a non-empty bucket has fewer samples ({@code n·(repeats+1)}) than one effective batch
   * ({@code batch × ranks × gradient_accumulation_steps}), with a message naming the dataset, every short bucket,
   * the totals, and the repeats that would fix it.
   */
  public static void requireUsableBatches(String datasetId, Map<String, Integer> bucketSizes, int batchSize, int ranks,
      int gradientAccumulationSteps, int repeats) {
    long effective = effectiveBatch(batchSize, ranks, gradientAccumulationSteps);
    long totalImages = 0;
    List<String> shortBuckets = new ArrayList<>();
    long neededRepeats = 0;
    for (Map.Entry<String, Integer> e : BucketKeys.sorted(bucketSizes).entrySet()) {
      long n = e.getValue();
      totalImages += n;
      if (n == 0) continue;
      long samples = n * (repeats + 1L);
      if (samples < effective) {
        long need = SamplerDataset.ceilDiv(effective, n) - 1;
        neededRepeats = Math.max(neededRepeats, need);
        shortBuckets.add("bucket " + e.getKey() + ": " + n + " images x " + (repeats + 1) + " = " + samples
            + " samples, needs repeats >= " + need);
      }
    }
    if (shortBuckets.isEmpty()) return;
    throw new IllegalArgumentException("(id=" + datasetId + ") Dataset configuration will produce zero usable "
        + "batches. Total images: " + totalImages + ". Repeats: " + repeats + ". Total samples: "
        + totalImages * (repeats + 1L) + ". Effective batch size: " + effective + " (train_batch_size " + batchSize
        + " x " + ranks + " workers x gradient_accumulation_steps " + gradientAccumulationSteps + "). Short "
        + String.join("; ", shortBuckets) + ". Increase repeats to at least " + neededRepeats + " (current: "
        + repeats + "), lower train_batch_size or gradient_accumulation_steps, use fewer workers, add images, or "
        + "enable allow_dataset_oversubscription without setting repeats to pad short buckets.");
  }

  public static long effectiveBatch(int batchSize, int ranks, int gradientAccumulationSteps) {
    if (batchSize < 1 || ranks < 1 || gradientAccumulationSteps < 1) {
      throw new IllegalArgumentException("train_batch_size, workers and gradient_accumulation_steps must be >= 1, got "
          + batchSize + ", " + ranks + ", " + gradientAccumulationSteps);
    }
    return (long) batchSize * ranks * gradientAccumulationSteps;
  }

  /**
   * {@code allow_dataset_oversubscription} (without user repeats): every bucket below one effective batch is
   * padded by cycling its own images up to the next multiple of the effective batch; other buckets are unchanged.
   */
  public static <T> SortedMap<String, List<T>> padShortBuckets(Map<String, List<T>> buckets, long effectiveBatch,
      int repeats) {
    TreeMap<String, List<T>> out = new TreeMap<>(BucketKeys.ORDER);
    for (Map.Entry<String, List<T>> e : buckets.entrySet()) {
      List<T> images = e.getValue();
      if (images.isEmpty() || images.size() * (repeats + 1L) >= effectiveBatch) {
        out.put(e.getKey(), List.copyOf(images));
        continue;
      }
      long target = SamplerDataset.ceilDiv(images.size(), effectiveBatch) * effectiveBatch;
      List<T> padded = new ArrayList<>((int) target);
      for (int i = 0; i < target; i++) padded.add(images.get(i % images.size()));
      out.put(e.getKey(), padded);
    }
    return out;
  }

  /**
   * §3.8's end-of-refresh pruning: drops buckets with {@code n·(repeats+1) < batch}. SimpleTuner applies it only
   * when {@code minimum_image_size} is set (and not {@code --disable_bucket_pruning}); otherwise short buckets reach
   * {@link #requireUsableBatches}, which raises.
   */
  public static <T> SortedMap<String, List<T>> pruneShortBuckets(Map<String, List<T>> buckets, int batchSize,
      int repeats) {
    TreeMap<String, List<T>> out = new TreeMap<>(BucketKeys.ORDER);
    buckets.forEach((k, v) -> {
      if (v.size() * (repeats + 1L) >= batchSize) out.put(k, List.copyOf(v));
    });
    return out;
  }

  /** SimpleTuner's per-bucket shuffle before the rank split: sorted, then {@code random.Random(f"{seed}:{id}:{bucket}")}. */
  public static List<String> shuffleForSplit(List<String> images, String seed, String datasetId, String bucket) {
    List<String> l = new ArrayList<>(images);
    java.util.Collections.sort(l);
    new PyRandom(seed + ":" + datasetId + ":" + bucket).shuffle(l);
    return l;
  }

  /** Contiguous, balanced slice {@code rank} of {@code ranks} (the first {@code n mod ranks} slices get one more). */
  public static <T> List<T> shard(List<T> images, int ranks, int rank) {
    if (ranks < 1 || rank < 0 || rank >= ranks) throw new IllegalArgumentException("rank " + rank + " of " + ranks);
    int n = images.size();
    int base = n / ranks;
    int extra = n % ranks;
    int start = rank * base + Math.min(rank, extra);
    int size = base + (rank < extra ? 1 : 0);
    return List.copyOf(images.subList(start, start + size));
  }

  /** §7.2's estimate: {@code ceil(Σ_d len(metadata_d) / gradient_accumulation_steps)}. */
  public static long stepsPerEpochEstimate(List<SamplerDataset> datasets, int gradientAccumulationSteps) {
    long n = 0;
    for (SamplerDataset d : datasets) n += d.metadataLength();
    return SamplerDataset.ceilDiv(n, gradientAccumulationSteps);
  }
}
