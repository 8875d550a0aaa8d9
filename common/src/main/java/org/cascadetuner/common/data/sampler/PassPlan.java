package org.cascadetuner.common.data.sampler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cascadetuner.common.data.PyRandom;
import org.cascadetuner.common.data.SeededDraws;

/**
 * The batches of one pass over one dataset (spec data-pipeline §7.3), in order: buckets visited round-robin in
 * sorted key order, one batch per step, skipping buckets with nothing left; within a bucket, batches are drawn
 * without replacement from its not-yet-seen occurrences; a bucket's final short batch is topped up with random
 * images of the same bucket (duplicates possible). Every occurrence appears at least once per pass; the pass has
 * {@code Σ_b ceil(n_b / batch)} batches.
 *
 * <p>Drawing {@code random.sample(unseen, batch)} repeatedly is the same distribution as cutting one uniform
 * permutation into consecutive slices; we do the latter: bucket b's permutation comes from
 * {@code SeededDraws.random(seed, "bucket", dataset id, epoch, pass, b)} ({@code shuffle} of the occurrence
 * indices), and the top-up continues with {@code choice} on the same generator.
 */
public final class PassPlan {
  private PassPlan() {}

  /** One planned batch: bucket key and images. */
  public record Planned(String bucket, List<String> images) {}

  public static List<Planned> of(SamplerDataset d, long seed, int epoch, int pass) {
    List<ArrayDeque<List<String>>> queues = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : d.buckets().entrySet()) {
      keys.add(e.getKey());
      queues.add(bucketBatches(e.getValue(), d.batchSize(),
          SeededDraws.random(seed, "bucket", d.id(), epoch, pass, e.getKey())));
    }
    List<Planned> out = new ArrayList<>();
    int idx = -1;
    int n = keys.size();
    while (true) {
      int next = -1;
      for (int k = 1; k <= n; k++) {
        int i = Math.floorMod(idx + k, n);
        if (!queues.get(i).isEmpty()) {
          next = i;
          break;
        }
      }
      if (next < 0) break;
      idx = next;
      out.add(new Planned(keys.get(idx), queues.get(idx).poll()));
    }
    return out;
  }

  private static ArrayDeque<List<String>> bucketBatches(List<String> images, int batchSize, PyRandom rng) {
    int[] order = new int[images.size()];
    for (int i = 0; i < order.length; i++) order[i] = i;
    rng.shuffle(order);
    ArrayDeque<List<String>> batches = new ArrayDeque<>();
    for (int start = 0; start < order.length; start += batchSize) {
      List<String> batch = new ArrayList<>(batchSize);
      for (int i = start; i < Math.min(order.length, start + batchSize); i++) batch.add(images.get(order[i]));
      while (batch.size() < batchSize) batch.add(rng.choice(images));
      batches.add(batch);
    }
    return batches;
  }
}
