package org.cascadetuner.common.data.sampler;

import static org.cascadetuner.common.data.BucketVectors.checkAll;
import static org.cascadetuner.common.data.BucketVectors.expect;
import static org.cascadetuner.common.data.BucketVectors.strings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The bucket_len, bucket_split*, sampler_* vectors. */
class SamplerVectorsTest {
  private static Map<String, Integer> counts(JsonNode buckets) {
    Map<String, Integer> m = new LinkedHashMap<>();
    buckets.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asInt()));
    return m;
  }

  private static Map<String, List<String>> lists(JsonNode buckets) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    buckets.fields().forEachRemaining(e -> m.put(e.getKey(), strings(e.getValue())));
    return m;
  }

  /** A dataset with n placeholder images per bucket. */
  private static SamplerDataset placeholders(Map<String, Integer> counts, int batch, int repeats) {
    Map<String, List<String>> b = new HashMap<>();
    counts.forEach((k, n) -> {
      List<String> imgs = new ArrayList<>();
      for (int i = 0; i < n; i++) imgs.add(k + "/" + i);
      b.put(k, imgs);
    });
    return new SamplerDataset("ds", new TreeMap<>(b), batch, repeats, 1.0);
  }

  @Test
  void bucketLen() {
    checkAll("bucket_len", v -> {
      JsonNode in = v.get("input");
      SamplerDataset d = placeholders(counts(in.get("buckets")), in.get("batch_size").asInt(), in.get("repeats").asInt());
      expect("batches", v.get("expected").get("batches").asLong(), d.metadataLength());
      if (v.get("expected").has("sampler_len_ceil_total")) {
        expect("sampler_len_ceil_total", v.get("expected").get("sampler_len_ceil_total").asLong(), d.samplerLength());
      }
      expect("steps per epoch estimate", d.metadataLength(), BatchRules.stepsPerEpochEstimate(List.of(d), 1));
    });
  }

  @Test
  void samplerLen() {
    checkAll("sampler_len", v -> {
      JsonNode in = v.get("input");
      SamplerDataset d = placeholders(counts(in.get("buckets")), in.get("batch_size").asInt(), in.path("repeats").asInt(0));
      expect("len", v.get("expected").get("len").asLong(), d.samplerLength());
    });
  }

  @Test
  void bucketSplitValidation() {
    checkAll("bucket_split_validation", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      String error = null;
      try {
        BatchRules.requireUsableBatches("ds", counts(in.get("buckets")), in.get("batch_size").asInt(),
            in.get("num_processes").asInt(), in.get("gradient_accumulation_steps").asInt(), in.get("repeats").asInt());
      } catch (IllegalArgumentException e) {
        error = e.getMessage();
      }
      if (ex.has("error") && ex.get("error").isNull()) {
        expect("error", null, error);
        return;
      }
      if (error == null) throw new AssertionError("no error raised");
      for (String fragment : strings(ex.get("error_contains"))) {
        if (!error.contains(fragment)) throw new AssertionError("message lacks '" + fragment + "': " + error);
      }
    });
  }

  /**
   * bucket_split-001 shows the padded buckets (SimpleTuner's test stubs the rank split); bucket_split-002 the
   * balanced contiguous split.
   */
  @Test
  void bucketSplit() {
    checkAll("bucket_split", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      Map<String, List<String>> buckets = lists(in.get("buckets"));
      int dp = in.get("dp_size").asInt();
      long effective = BatchRules.effectiveBatch(in.get("batch_size").asInt(), dp, 1);
      if (ex.has("buckets")) {
        if (!in.get("allow_dataset_oversubscription").asBoolean()) throw new AssertionError("vector without padding");
        expect("buckets", new TreeMap<>(lists(ex.get("buckets"))),
            new TreeMap<>(BatchRules.padShortBuckets(buckets, effective, in.path("repeats").asInt(0))));
      }
      if (ex.has("shard_sizes")) {
        for (Map.Entry<String, List<String>> e : buckets.entrySet()) {
          List<Long> sizes = new ArrayList<>();
          List<String> concat = new ArrayList<>();
          for (int r = 0; r < dp; r++) {
            List<String> s = BatchRules.shard(e.getValue(), dp, r);
            sizes.add((long) s.size());
            concat.addAll(s);
          }
          List<Long> want = new ArrayList<>();
          ex.get("shard_sizes").forEach(n -> want.add(n.asLong()));
          expect("shard_sizes", want, sizes);
          expect("concatenated", strings(ex.get("concatenated")), concat);
        }
      }
    });
  }

  @Test
  void samplerPass() {
    checkAll("sampler_pass", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      Map<String, List<String>> buckets = lists(in.get("buckets"));
      SamplerDataset d = new SamplerDataset("ds", new TreeMap<>(buckets), in.get("batch_size").asInt(), 0, 1.0);
      for (long seed : new long[] {0, 1, 42}) {
        List<PassPlan.Planned> pass = PassPlan.of(d, seed, 0, 0);
        expect("batches_per_pass", ex.get("batches_per_pass").asLong(), d.passLength());
        expect("observed_batches", ex.get("observed_batches").asInt(), pass.size());
        expect("bucket_order", strings(ex.get("bucket_order")), pass.stream().map(PassPlan.Planned::bucket).toList());
        Map<String, Integer> seen = new HashMap<>();
        for (PassPlan.Planned p : pass) {
          for (String img : p.images()) {
            if (!buckets.get(p.bucket()).contains(img)) throw new AssertionError(img + " is not in bucket " + p.bucket());
            seen.merge(img, 1, Integer::sum);
          }
          expect("batch size", in.get("batch_size").asInt(), p.images().size());
        }
        boolean all = buckets.values().stream().flatMap(List::stream).allMatch(seen::containsKey);
        expect("every_image_seen_at_least_once", ex.get("every_image_seen_at_least_once").asBoolean(), all);
        List<String> epochOrder = new BucketSampler(List.of(d), seed, BucketSampler.Weighting.AUTO_WEIGHTING).epoch(0)
            .stream().map(Batch::bucket).toList();
        expect("epoch = one pass without repeats", strings(ex.get("bucket_order")), epochOrder);
      }
    });
  }

  /** Seen is counted per occurrence: after a batch takes one copy of a twice-listed path, the other stays unseen. */
  @Test
  void samplerSeen() {
    checkAll("sampler_seen", v -> {
      JsonNode in = v.get("input");
      List<String> bucket = strings(in.get("bucket"));
      List<String> marked = strings(in.get("mark_seen"));
      SamplerDataset d = new SamplerDataset("ds", new TreeMap<>(Map.of("1.0", bucket)), marked.size(), 0, 1.0);
      List<PassPlan.Planned> pass = PassPlan.of(d, 3, 0, 0);
      expect("first batch", sortedCopy(marked), sortedCopy(pass.get(0).images()));
      List<String> rest = new ArrayList<>();
      for (PassPlan.Planned p : pass.subList(1, pass.size())) rest.addAll(p.images());
      expect("unseen_after", sortedCopy(strings(v.get("expected").get("unseen_after"))), sortedCopy(rest));
    });
  }

  private static List<String> sortedCopy(List<String> l) {
    List<String> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }
}
