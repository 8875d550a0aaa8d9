package org.cascadetuner.common.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.cascadetuner.common.data.GeometryConfig.AspectChoice;
import org.cascadetuner.common.data.GeometryConfig.CropAspect;
import org.cascadetuner.common.data.GeometryConfig.CropStyle;
import org.cascadetuner.common.data.GeometryConfig.ResolutionType;
import org.cascadetuner.common.testing.SharedFiles;

/**
 * The shared spec's bucket-vectors.json, read at test time, and a runner that checks every vector of a category
 * and reports every failing id at once.
 */
public final class BucketVectors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<JsonNode> all;

  private BucketVectors() {}

  public static synchronized List<JsonNode> all() {
    if (all == null) {
      try {
        JsonNode root = JSON.readTree(SharedFiles.spec("bucket-vectors.json").toFile());
        List<JsonNode> list = new ArrayList<>();
        root.forEach(list::add);
        all = List.copyOf(list);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return all;
  }

  public static List<JsonNode> category(Predicate<String> category) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode v : all()) if (category.test(v.get("category").asText())) out.add(v);
    return out;
  }

  public static List<JsonNode> category(String name) {
    return category(name::equals);
  }

  /**
   * Runs {@code check} on every vector of the categories; a vector fails by throwing (AssertionError or any
   * exception). Fails once at the end listing every failing id and why; also fails if no vector matched.
   */
  public static int checkAll(Predicate<String> categories, Consumer<JsonNode> check) {
    List<JsonNode> vs = category(categories);
    assertFalse(vs.isEmpty(), "no vectors for the categories");
    List<String> failures = new ArrayList<>();
    for (JsonNode v : vs) {
      try {
        check.accept(v);
      } catch (Throwable t) {
        failures.add(v.get("id").asText() + ": " + t.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " of " + vs.size() + " vectors failed:\n  " + String.join("\n  ", failures));
    }
    return vs.size();
  }

  public static int checkAll(String category, Consumer<JsonNode> check) {
    return checkAll(category::equals, check);
  }

  /** Throws an AssertionError naming the field unless equal (the runner collects it). */
  public static void expect(String field, Object expected, Object actual) {
    if (!Objects.equals(expected, actual)) {
      throw new AssertionError(field + " expected " + expected + " but was " + actual);
    }
  }

  public static Size size(JsonNode pair) {
    return Size.of(pair.get(0).asLong(), pair.get(1).asLong());
  }

  public static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asLong()));
    return out;
  }

  public static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /**
   * A GeometryConfig from a vector's input: {@code dataset_config_normalised} when present, else
   * {@code dataset_config_raw} put through the §2.4 pixel_area rule (edge² / 1e6), which is configuration parsing's
   * job in the product; defaults as spec §0 fact 3.
   */
  public static GeometryConfig geometryConfig(JsonNode input) {
    JsonNode c = input.has("dataset_config_normalised") ? input.get("dataset_config_normalised")
        : normalise(input.get("dataset_config_raw"));
    String rt = c.path("resolution_type").asText("area");
    ResolutionType type = rt.equals("pixel") ? ResolutionType.PIXEL : ResolutionType.AREA;
    List<AspectChoice> buckets = new ArrayList<>();
    for (JsonNode b : c.path("crop_aspect_buckets")) {
      if (b.isObject()) {
        buckets.add(new AspectChoice(b.get("aspect").asDouble(), b.get("weight").asDouble(), false));
      } else {
        buckets.add(new AspectChoice(b.asDouble(), null, b.isIntegralNumber()));
      }
    }
    String style = c.path("crop_style").asText("random");
    CropStyle cropStyle = style.equals("centre") ? CropStyle.CENTER : CropStyle.valueOf(style.toUpperCase());
    return new GeometryConfig(type, c.get("resolution").asDouble(), positiveOrNull(c, "minimum_image_size"),
        positiveOrNull(c, "maximum_image_size"), positiveOrNull(c, "target_downsample_size"),
        c.path("crop").asBoolean(false), cropStyle, CropAspect.valueOf(c.path("crop_aspect").asText("square")
            .toUpperCase()), buckets, input.path("aspect_bucket_alignment").asInt(64),
        input.path("aspect_bucket_rounding").asInt(2), positiveOrNull(c, "minimum_aspect_ratio"),
        positiveOrNull(c, "maximum_aspect_ratio"));
  }

  private static Double positiveOrNull(JsonNode c, String key) {
    JsonNode v = c.get(key);
    if (v == null || v.isNull() || v.asDouble() == 0) return null;
    return v.asDouble();
  }

  private static JsonNode normalise(JsonNode raw) {
    com.fasterxml.jackson.databind.node.ObjectNode c = raw.deepCopy();
    if (c.path("resolution_type").asText("pixel_area").equals("pixel_area")) {
      c.put("resolution_type", "area");
      c.put("resolution", sq(raw.get("resolution").asDouble()));
      for (String k : List.of("minimum_image_size", "maximum_image_size", "target_downsample_size")) {
        if (raw.has(k) && raw.get(k).asDouble() > 0) c.put(k, sq(raw.get(k).asDouble()));
      }
    }
    return c;
  }

  private static double sq(double edge) {
    return edge * edge / 1_000_000;
  }
}
