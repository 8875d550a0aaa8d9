package org.cascadetuner.common.data.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.cascadetuner.common.data.sampler.BucketSampler.Weighting;
import org.junit.jupiter.api.Test;

/** Properties of the sampler over many generated layouts. */
class SamplerInvariantsTest {
  /** A random dataset: 1–6 buckets of 1–40 images, some listed twice; batch 1–6; repeats 0–2. */
  private static SamplerDataset randomDataset(Random r, String id) {
    Map<String, List<String>> buckets = new HashMap<>();
    int nb = 1 + r.nextInt(6);
    for (int b = 0; b < nb; b++) {
      String key = String.valueOf(0.5 + b * 0.25);
      List<String> imgs = new ArrayList<>();
      int n = 1 + r.nextInt(40);
      for (int i = 0; i < n; i++) imgs.add(id + "/" + key + "/" + i + ".png");
      if (r.nextInt(4) == 0) imgs.add(imgs.get(0));
      buckets.put(key, imgs);
    }
    return new SamplerDataset(id, new TreeMap<>(buckets), 1 + r.nextInt(6), r.nextInt(3), 0.5 + r.nextInt(3));
  }

  private static List<SamplerDataset> randomLayout(Random r) {
    List<SamplerDataset> ds = new ArrayList<>();
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) ds.add(randomDataset(r, "ds" + i));
    return ds;
  }

  @Test
  void everyOccurrenceEveryPassOneBucketPerBatchAndExactEpochLength() {
    Random r = new Random(11);
    for (int trial = 0; trial < 60; trial++) {
      List<SamplerDataset> layout = randomLayout(r);
      BucketSampler s = new BucketSampler(layout, trial, trial % 2 == 0 ? Weighting.AUTO_WEIGHTING : Weighting.UNIFORM);
      List<Batch> epoch = s.epoch(trial % 3);
      assertEquals(s.epochLength(), epoch.size());
      for (int i = 0; i < epoch.size(); i++) assertEquals(i, epoch.get(i).step());
      for (SamplerDataset d : layout) {
        List<Batch> mine = epoch.stream().filter(b -> b.datasetId().equals(d.id())).toList();
        assertEquals(d.epochLength(), mine.size(), d.id() + " batches");
        for (int pass = 0; pass <= d.repeats(); pass++) {
          int p = pass;
          Map<String, Integer> count = new HashMap<>();
          for (Batch b : mine) {
            if (b.pass() != p) continue;
            assertEquals(d.batchSize(), b.images().size());
            for (String img : b.images()) {
              assertTrue(d.buckets().get(b.bucket()).contains(img), "batch mixes buckets: " + img + " in " + b.bucket());
              count.merge(img, 1, Integer::sum);
            }
          }
          for (List<String> bucket : d.buckets().values()) {
            Map<String, Integer> need = new HashMap<>();
            for (String img : bucket) need.merge(img, 1, Integer::sum);
            need.forEach((img, k) -> assertTrue(count.getOrDefault(img, 0) >= k,
                img + " seen " + count.getOrDefault(img, 0) + " < " + k + " times in pass " + p));
          }
        }
      }
    }
  }

  @Test
  void workerSplitIsAPartitionAndDeterministic() {
    Random r = new Random(5);
    for (int trial = 0; trial < 30; trial++) {
      List<SamplerDataset> layout = randomLayout(r);
      int workers = 1 + r.nextInt(5);
      int local = 1 + r.nextInt(4);
      BucketSampler s = new BucketSampler(layout, 77, Weighting.AUTO_WEIGHTING);
      List<Batch> epoch = s.epoch(0);
      List<List<Batch>> split = WorkerSplit.split(epoch, workers);
      List<Batch> union = new ArrayList<>();
      split.forEach(union::addAll);
      assertEquals(epoch.size(), union.size());
      assertEquals(new HashSet<>(epoch), new HashSet<>(union), "each batch exactly once");
      assertEquals(split, WorkerSplit.split(new BucketSampler(layout, 77, Weighting.AUTO_WEIGHTING).epoch(0), workers));

      // Rounds from a stream: cover the epoch exactly once, never cross into the next epoch.
      BucketSampler.Stream stream = s.stream(0);
      List<Batch> seen = new ArrayList<>();
      while (seen.size() < epoch.size()) {
        List<List<Batch>> round = WorkerSplit.nextRound(stream, workers, local);
        int max = round.stream().mapToInt(List::size).max().orElse(0);
        int min = round.stream().mapToInt(List::size).min().orElse(0);
        assertTrue(max <= local && max - min <= 1, "balanced round " + max + "/" + min);
        round.forEach(seen::addAll);
      }
      seen.sort((a, b) -> Long.compare(a.step(), b.step()));
      assertEquals(epoch, seen);
      assertEquals(1, stream.cursor().epoch());
      assertEquals(0, stream.cursor().step());
    }
  }

  @Test
  void resumesExactlyFromACursorAcrossEpochs() throws Exception {
    List<SamplerDataset> layout = randomLayout(new Random(3));
    BucketSampler s = new BucketSampler(layout, 9, Weighting.AUTO_WEIGHTING);
    BucketSampler.Stream straight = s.stream(0);
    List<Batch> reference = new ArrayList<>();
    long total = 2 * s.epochLength() + 5;
    for (int i = 0; i < total; i++) reference.add(straight.next());

    BucketSampler.Stream killed = s.stream(0);
    int stopAt = (int) (s.epochLength() + 3);
    for (int i = 0; i < stopAt; i++) killed.next();
    SamplerCursor saved = roundTrip(killed.cursor());
    assertEquals(1, saved.epoch());
    BucketSampler.Stream resumed = new BucketSampler(layout, 9, Weighting.AUTO_WEIGHTING).stream(saved);
    for (int i = stopAt; i < total; i++) assertEquals(reference.get(i), resumed.next(), "batch " + i);

    // Another seed gives another order; another layout is refused mid-epoch and accepted at an epoch boundary.
    assertNotEquals(s.epoch(0), new BucketSampler(layout, 10, Weighting.AUTO_WEIGHTING).epoch(0));
    assertNotEquals(s.epoch(0), s.epoch(1));
    List<SamplerDataset> changed = new ArrayList<>(layout);
    SamplerDataset d0 = layout.get(0);
    changed.set(0, new SamplerDataset(d0.id(), d0.buckets(), d0.batchSize(), d0.repeats() + 1, d0.probability()));
    BucketSampler other = new BucketSampler(changed, 9, Weighting.AUTO_WEIGHTING);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.stream(saved));
    assertTrue(e.getMessage().contains("different"), e.getMessage());
    assertEquals(other.epoch(2).get(0), other.stream(new SamplerCursor(2, 0, saved.layout())).next());
  }

  private static SamplerCursor roundTrip(SamplerCursor c) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (SamplerCursor) in.readObject();
    }
  }

  private static SamplerDataset flat(String id, int images, int batch, double probability) {
    List<String> imgs = new ArrayList<>();
    for (int i = 0; i < images; i++) imgs.add(id + i);
    return new SamplerDataset(id, new TreeMap<>(Map.of("1.0", imgs)), batch, 0, probability);
  }

  /** Share of steps taken by dataset "a" while both datasets are still in the draw. */
  private static double shareOfA(BucketSampler s) {
    int a = 0;
    int both = 0;
    Set<String> exhausted = new HashSet<>();
    Map<String, Long> left = new HashMap<>();
    for (SamplerDataset d : s.datasets()) left.put(d.id(), d.epochLength());
    for (Batch b : s.epoch(0)) {
      if (exhausted.isEmpty()) {
        both++;
        if (b.datasetId().equals("a")) a++;
      }
      if (left.merge(b.datasetId(), -1L, Long::sum) == 0) exhausted.add(b.datasetId());
    }
    return (double) a / both;
  }

  @Test
  void weightedDrawAutoWeightingUniformAndProbabilityZero() {
    // uniform: probability 3 vs 1 → a is drawn ~75% of the time while both remain.
    BucketSampler uniform = new BucketSampler(List.of(flat("a", 4000, 2, 3), flat("b", 4000, 2, 1)), 1, Weighting.UNIFORM);
    assertEquals(0.75, shareOfA(uniform), 0.03);
    // auto-weighting: equal probability, a has 3x the batches → also ~75%.
    BucketSampler auto = new BucketSampler(List.of(flat("a", 6000, 2, 1), flat("b", 2000, 2, 1)), 1,
        Weighting.AUTO_WEIGHTING);
    assertEquals(0.75, shareOfA(auto), 0.03);
    // exhausted datasets leave the draw: every batch of both is in the epoch, b's run out and a finishes alone.
    List<Batch> e = auto.epoch(0);
    assertEquals(3000 + 1000, e.size());
    assertEquals("a", e.get(e.size() - 1).datasetId());
    // probability 0 never sampled; all-zero refused.
    BucketSampler withZero = new BucketSampler(List.of(flat("a", 10, 2, 1), flat("z", 10, 2, 0)), 1, Weighting.UNIFORM);
    assertTrue(withZero.epoch(0).stream().noneMatch(b -> b.datasetId().equals("z")));
    assertThrows(IllegalArgumentException.class,
        () -> new BucketSampler(List.of(flat("z", 10, 2, 0)), 1, Weighting.UNIFORM));
  }

  @Test
  void bucketKeysAreVisitedInNumericOrder() {
    SamplerDataset d = new SamplerDataset("d", new TreeMap<>(Map.of("10.0", List.of("x"), "2.0", List.of("y"),
        "0.78", List.of("z"))), 1, 0, 1);
    assertEquals(List.of("0.78", "2.0", "10.0"), PassPlan.of(d, 0, 0, 0).stream().map(PassPlan.Planned::bucket).toList());
  }

  @Test
  void repeatsAreExtraPassesWithFreshShuffles() {
    SamplerDataset d = new SamplerDataset("d", new TreeMap<>(Map.of("1.0", List.of("a", "b", "c", "d", "e", "f", "g",
        "h"))), 8, 2, 1);
    List<Batch> e = new BucketSampler(List.of(d), 4, Weighting.AUTO_WEIGHTING).epoch(0);
    assertEquals(3, e.size());
    assertEquals(List.of(0, 1, 2), e.stream().map(Batch::pass).toList());
    assertEquals(3, e.stream().map(Batch::images).distinct().count(), "each pass reshuffles");
  }

  @Test
  void pruningDropsOnlyBucketsBelowOneBatchCountingRepeats() {
    Map<String, List<String>> b = Map.of("1.0", List.of("a", "b", "c"), "1.5", List.of("d"), "0.5", List.of("e", "f"));
    assertEquals(List.of("1.0"), new ArrayList<>(BatchRules.pruneShortBuckets(b, 3, 0).keySet()));
    assertEquals(List.of("0.5", "1.0"), new ArrayList<>(BatchRules.pruneShortBuckets(b, 3, 1).keySet()));
    assertEquals(List.of("0.5", "1.0", "1.5"), new ArrayList<>(BatchRules.pruneShortBuckets(b, 3, 2).keySet()));
  }

  @Test
  void stepsPerEpochEstimateFollowsSimpleTuner() {
    SamplerDataset a = new SamplerDataset("a", new TreeMap<>(Map.of("1.0", List.of("x", "y"), "1.5", List.of("z"))), 1, 0, 1);
    SamplerDataset b = new SamplerDataset("b", new TreeMap<>(Map.of("1.0", List.of("p", "q", "r"))), 2, 1, 1);
    // a: 2 + 1 = 3; b: ceil(6/2) = 3 → 6, halved by gradient accumulation 2 → 3; 4 → ceil(6/4) = 2.
    assertEquals(6, BatchRules.stepsPerEpochEstimate(List.of(a, b), 1));
    assertEquals(2, BatchRules.stepsPerEpochEstimate(List.of(a, b), 4));
  }
}
