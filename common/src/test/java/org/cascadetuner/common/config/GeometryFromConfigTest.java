package org.cascadetuner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.cascadetuner.common.data.GeometryConfig;
import org.cascadetuner.common.data.GeometryConfig.AspectChoice;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The {@link GeometryConfig} built from each geometry vector's dataset config (raw where the vector has it) holds
 * exactly the vector's normalised settings, alignment and rounding: the contract with the geometry code.
 */
class GeometryFromConfigTest {

  @TestFactory
  Stream<DynamicTest> geometryOfEveryVectorConfig() {
    return Vectors.category("geometry", "min_size_filter", "geometry_known_defect").stream()
        .map(v -> DynamicTest.dynamicTest(v.get("id").textValue(), () -> check(v.get("input"))));
  }

  private static void check(JsonNode input) {
    JsonNode config = input.has("dataset_config_raw") ? input.get("dataset_config_raw")
        : input.get("dataset_config_normalised");
    JsonNode norm = input.get("dataset_config_normalised");
    long alignment = input.path("aspect_bucket_alignment").asLong(64);
    long rounding = input.path("aspect_bucket_rounding").asLong(2);
    Diagnostics d = new Diagnostics();
    TrainingConfig training = TrainingConfigReader.read(null,
        List.of("aspect_bucket_alignment=" + alignment, "aspect_bucket_rounding=" + rounding),
        d.in("config.json", null), d.in("--set", null));
    GeometryConfig g = DatasetGeometry.read(config, training, d.in("dataset.json", null));
    assertFalse(d.hasErrors(), d.list().toString());

    assertEquals(norm.get("resolution_type").textValue(), g.resolutionType().name().toLowerCase(Locale.ROOT));
    assertEquals(norm.get("resolution").doubleValue(), g.resolution(), 0.0);
    assertEquals(optional(norm, "maximum_image_size"), g.maximumImageSize());
    assertEquals(optional(norm, "target_downsample_size"), g.targetDownsampleSize());
    Double min = optional(norm, "minimum_image_size");
    assertEquals(min == null || min == 0 ? null : min, g.minimumImageSize());
    assertEquals(norm.path("crop").asBoolean(false), g.crop());
    String style = norm.path("crop_style").asText("random");
    assertEquals(style.equals("centre") ? "center" : style, g.cropStyle().name().toLowerCase(Locale.ROOT));
    String aspect = norm.path("crop_aspect").asText("square");
    assertEquals(aspect, g.cropAspect().name().toLowerCase(Locale.ROOT));
    List<Double> buckets = g.cropAspectBuckets().stream().map(AspectChoice::aspect).toList();
    if (aspect.equals("closest") || aspect.equals("random")) {
      List<Double> expected = Vectors.JSON.convertValue(norm.get("crop_aspect_buckets"),
          Vectors.JSON.getTypeFactory().constructCollectionType(List.class, Double.class));
      assertEquals(expected, buckets);
    } else {
      assertEquals(List.of(), buckets);
    }
    assertEquals(alignment, g.alignment());
    assertEquals(rounding, g.rounding());
  }

  private static Double optional(JsonNode n, String key) {
    return n.has(key) ? n.get(key).doubleValue() : null;
  }
}
