package org.cascadetuner.common.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.cascadetuner.common.data.sampler.BucketSampler;
import org.cascadetuner.common.data.sampler.SamplerDataset;
import org.junit.jupiter.api.Test;

class VectorCoverageTest {
  /** Categories checked by the data tests (geometry, captions, sampler, cache names). */
  static final Set<String> DATA = Set.of("aspect_ratio", "round_to_multiple", "size_by_area", "size_by_pixel_edge",
      "area_pixel_resolution", "geometry", "geometry_random_crop", "geometry_known_defect", "min_size_filter",
      "bucket_table", "caption", "caption_filter", "caption_shuffle", "bucket_len", "bucket_aspect_filter",
      "bucket_split", "bucket_split_validation", "sampler_pass", "sampler_seen", "sampler_len",
      "text_embed_cache_filename", "vae_cache_filename");
  /** Categories checked by configuration parsing's tests. */
  static final Set<String> CONFIG = Set.of("config_validation", "pixel_area_normalisation");

  /** A category nobody checks would pass silently; fail instead, naming it. */
  @Test
  void everyVectorCategoryHasAnOwner() {
    Set<String> unowned = new TreeSet<>();
    for (var v : BucketVectors.all()) {
      String c = v.get("category").asText();
      if (!DATA.contains(c) && !CONFIG.contains(c)) unowned.add(c);
    }
    assertEquals(Set.of(), unowned);
  }

  @Test
  void valuesSurviveJavaSerializationForSpark() throws Exception {
    GeometryResult g = new ImageGeometry(BucketVectors.geometryConfig(BucketVectors.category("geometry").get(0)
        .get("input")), 0.75, 1).compute(Size.of(1920, 1080), "a.png");
    assertEquals(g, roundTrip(g));
    SamplerDataset d = new SamplerDataset("d", new TreeMap<>(Map.of("10.0", List.of("x"), "2.0", List.of("y", "z"))), 1,
        1, 1);
    SamplerDataset back = roundTrip(d);
    assertEquals(d, back);
    BucketSampler s = new BucketSampler(List.of(back), 3, BucketSampler.Weighting.UNIFORM);
    assertEquals(new BucketSampler(List.of(d), 3, BucketSampler.Weighting.UNIFORM).epoch(0), roundTrip(s.epoch(0)));
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
