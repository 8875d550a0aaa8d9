package org.cascadetuner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Stream;
import org.cascadetuner.common.config.Diagnostic.Severity;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code config_validation} vector of the spec: the SimpleTuner message fragment is among the errors, or (the
 * documented deviation, config_validation-011) the entry is accepted with a warning naming the key.
 */
class ConfigValidationVectorsTest {

  @TestFactory
  Stream<DynamicTest> configValidation() {
    return Vectors.category("config_validation").stream().map(v -> DynamicTest.dynamicTest(
        v.get("id").textValue() + ": " + v.get("description").textValue(), () -> check(v)));
  }

  private static void check(JsonNode vector) {
    JsonNode config = vector.get("input").get("config");
    ArrayNode entries = config.isArray() ? (ArrayNode) config : Vectors.JSON.createArrayNode().add(config);
    Diagnostics d = new Diagnostics();
    DataBackendReader.read(entries, TrainingConfig.defaults(), d.in("multidatabackend.json", null));
    JsonNode expected = vector.get("expected");
    List<Diagnostic> errors = d.of(Severity.ERROR);
    if (expected.has("error_contains")) {
      String fragment = expected.get("error_contains").textValue();
      assertTrue(errors.stream().anyMatch(e -> e.message().contains(fragment)),
          "no error contains \"" + fragment + "\"; got " + errors);
    } else {
      assertTrue(expected.get("accepted").booleanValue());
      String key = expected.get("warning_contains").textValue();
      assertFalse(errors.stream().anyMatch(e -> key.equals(e.key())), "refused: " + errors);
      List<Diagnostic> warnings = d.of(Severity.WARNING);
      assertTrue(warnings.stream().anyMatch(w -> key.equals(w.key()) && w.message().contains(key)),
          "no warning names " + key + ": " + warnings);
      assertTrue(warnings.stream().anyMatch(w -> w.message().contains(expected.get("simpletuner").textValue())),
          "the warning should say what SimpleTuner does: " + warnings);
    }
  }

  /** The spec's §2.4 vectors: the dataset entry after the pixel_area → area conversion. */
  @TestFactory
  Stream<DynamicTest> pixelAreaNormalisation() {
    return Vectors.category("pixel_area_normalisation").stream().map(v -> DynamicTest.dynamicTest(
        v.get("id").textValue(), () -> {
          Diagnostics d = new Diagnostics();
          ObjectNode out = PixelAreaNormalisation.apply((ObjectNode) v.get("input"), 1024, "pixel_area",
              d.in("multidatabackend.json", "x"));
          assertEquals(List.of(), d.list());
          assertSameValues(v.get("expected"), out);
        }));
  }

  /** Every geometry vector given in raw form normalises to the form the vector states. */
  @TestFactory
  Stream<DynamicTest> geometryVectorsNormalise() {
    return Vectors.category("geometry", "min_size_filter", "geometry_known_defect").stream()
        .filter(v -> v.get("input").has("dataset_config_raw"))
        .map(v -> DynamicTest.dynamicTest(v.get("id").textValue(), () -> {
          Diagnostics d = new Diagnostics();
          ObjectNode out = PixelAreaNormalisation.apply((ObjectNode) v.get("input").get("dataset_config_raw"), 1024,
              "pixel_area", d.in("multidatabackend.json", "x"));
          assertEquals(List.of(), d.list());
          assertSameValues(v.get("input").get("dataset_config_normalised"), out);
          assertEquals(v.get("input").get("dataset_config_normalised").size(), out.size(), out.toString());
        }));
  }

  static void assertSameValues(JsonNode expected, JsonNode actual) {
    expected.fields().forEachRemaining(e -> {
      JsonNode a = actual.get(e.getKey());
      assertNotNull(a, e.getKey() + " missing from " + actual);
      if (e.getValue().isNumber()) {
        assertEquals(e.getValue().doubleValue(), a.doubleValue(), 0.0, e.getKey());
      } else {
        assertEquals(e.getValue(), a, e.getKey());
      }
    });
  }
}
