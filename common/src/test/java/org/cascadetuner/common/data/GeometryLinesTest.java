package org.cascadetuner.common.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The geometry command's core: JSON lines in, the contract's JSON lines out, checked against the vectors. */
class GeometryLinesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyGeometryVectorThroughJsonLines() throws Exception {
    // Group the vectors by configuration: one run of the command per configuration, as a user would do.
    Map<String, List<JsonNode>> byConfig = new LinkedHashMap<>();
    for (JsonNode v : BucketVectors.category("geometry")) {
      byConfig.computeIfAbsent(v.get("input").get("dataset_config_normalised").toString()
          + v.get("input").path("aspect_bucket_alignment"), k -> new ArrayList<>()).add(v);
    }
    List<String> bad = new ArrayList<>();
    int checked = 0;
    for (List<JsonNode> vs : byConfig.values()) {
      GeometryConfig c = BucketVectors.geometryConfig(vs.get(0).get("input"));
      StringBuilder in = new StringBuilder();
      for (JsonNode v : vs) {
        JsonNode s = v.get("input").get("original_size");
        in.append("{\"width\":").append(s.get(0)).append(",\"height\":").append(s.get(1)).append("}\n\n");
      }
      StringWriter out = new StringWriter();
      long n = new GeometryLines(new ImageGeometry(c, 0.75, 1)).run(new StringReader(in.toString()), out);
      assertEquals(vs.size(), n);
      String[] lines = out.toString().split("\n");
      assertEquals(vs.size(), lines.length);
      for (int i = 0; i < lines.length; i++) {
        JsonNode got = JSON.readTree(lines[i]);
        JsonNode ex = vs.get(i).get("expected");
        String id = vs.get(i).get("id").asText();
        for (String f : List.of("kept", "reject_reason", "target_size", "resize_before_crop", "crop_top_left",
            "aspect_bucket", "latent_shape")) {
          if (!got.has(f)) bad.add(id + ": missing " + f);
        }
        checked++;
        if (ex.has("kept") && got.get("kept").asBoolean() != ex.get("kept").asBoolean()) bad.add(id + ": kept");
        if (!got.get("kept").asBoolean()) {
          if (!got.get("reject_reason").asText().equals("too_small")) bad.add(id + ": reason " + got.get("reject_reason"));
          continue;
        }
        compare(bad, id, "target_size", ex.get("target_size"), got.get("target_size"));
        compare(bad, id, "aspect_bucket", ex.get("aspect_bucket"), got.get("aspect_bucket"));
        compare(bad, id, "actual_resize_before_crop", ex.get("actual_resize_before_crop"), got.get("resize_before_crop"));
        compare(bad, id, "crop_coordinates_top_left", ex.get("crop_coordinates_top_left"), got.get("crop_top_left"));
        compare(bad, id, "latent_shape", ex.get("latent_shape"), got.get("latent_shape"));
        compare(bad, id, "intermediary_size_in_metadata", ex.get("intermediary_size_in_metadata"),
            got.get("intermediary_size"));
        if (!got.get("reject_reason").isNull()) bad.add(id + ": reject_reason on a kept image");
      }
    }
    assertTrue(checked > 100);
    assertTrue(bad.isEmpty(), String.join("\n", bad));
  }

  private static void compare(List<String> bad, String id, String field, JsonNode expected, JsonNode got) {
    if (expected != null && !expected.equals(got)) bad.add(id + ": " + field + " " + expected + " vs " + got);
  }

  @Test
  void malformedLinesStopWithTheLineNumber() {
    GeometryLines g = new GeometryLines(new ImageGeometry(BucketVectors.geometryConfig(
        BucketVectors.category("geometry").get(0).get("input")), 0.75, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.run(new StringReader("{\"width\":10,\"height\":10}\n{\"width\":\"ten\"}\n"), new StringWriter()));
    assertTrue(e.getMessage().startsWith("line 2:"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> g.process("not json", 1));
  }

  @Test
  void randomCropsFollowTheIdOrElseTheLineNumber() throws Exception {
    JsonNode rc = BucketVectors.category("geometry_random_crop").get(0).get("input");
    GeometryLines g = new GeometryLines(new ImageGeometry(BucketVectors.geometryConfig(rc), 0.75, 3));
    String a = g.process("{\"width\":1920,\"height\":1080,\"id\":\"cats/a.png\"}", 1);
    String b = g.process("{\"width\":1920,\"height\":1080,\"id\":\"cats/a.png\"}", 9);
    assertEquals(a, b, "the id, not the line, seeds the crop");
    List<String> lefts = new ArrayList<>();
    for (int line = 1; line <= 20; line++) {
      lefts.add(JSON.readTree(g.process("{\"width\":1920,\"height\":1080}", line)).get("crop_top_left").toString());
    }
    assertTrue(lefts.stream().distinct().count() > 5, "different lines draw different offsets: " + lefts);
  }

  @Test
  void rejectedImagesCarryReasonAndNullGeometry() throws Exception {
    JsonNode rejected = null;
    for (JsonNode v : BucketVectors.category("geometry")) {
      if (v.get("expected").has("kept") && !v.get("expected").get("kept").asBoolean()) rejected = v;
    }
    GeometryLines g = new GeometryLines(new ImageGeometry(BucketVectors.geometryConfig(rejected.get("input")), 0.75, 1));
    JsonNode s = rejected.get("input").get("original_size");
    JsonNode out = JSON.readTree(g.process("{\"width\":" + s.get(0) + ",\"height\":" + s.get(1) + "}", 1));
    assertEquals("too_small", out.get("reject_reason").asText());
    assertTrue(out.get("target_size").isNull() && out.get("latent_shape").isNull());
    assertTrue(out.get("reject_detail").asText().contains("minimum_image_size"));
    JsonNode zero = JSON.readTree(g.process("{\"width\":0,\"height\":5}", 1));
    assertEquals("invalid_dimensions", zero.get("reject_reason").asText());
  }
}
