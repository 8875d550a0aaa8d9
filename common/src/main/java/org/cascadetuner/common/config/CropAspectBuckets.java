package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.cascadetuner.common.data.GeometryConfig.AspectChoice;
import org.cascadetuner.common.data.GeometryConfig.CropAspect;

/**
 * {@code crop_aspect_buckets} (spec data-pipeline §2.1, §2.5): required as a list for crop_aspect closest/random;
 * elements are numbers or {@code {"aspect": a, "weight": w}} objects; for random, weights add up to exactly 1.0
 * and the first element must not be a JSON integer (SimpleTuner fails at bucketing time on an integer list).
 */
final class CropAspectBuckets {
  private CropAspectBuckets() {}

  static final String ALLOWED = "a list of numbers or of {\"aspect\": number, \"weight\": number} objects";

  /** The parsed list (empty when absent or refused); every problem is reported. */
  static List<AspectChoice> read(CropAspect aspect, JsonNode buckets, Diagnostics.Scope d) {
    boolean needed = aspect == CropAspect.CLOSEST || aspect == CropAspect.RANDOM;
    String aspectName = aspect == CropAspect.RANDOM ? "random" : "closest";
    if (buckets == null) {
      if (needed) {
        d.error("crop_aspect_buckets", null, d.prefix() + "crop_aspect_buckets must be provided when crop_aspect is set"
            + " to '" + aspectName + "'.", ALLOWED);
      }
      return List.of();
    }
    if (!buckets.isArray() || buckets.isEmpty()) {
      d.error("crop_aspect_buckets", buckets.toString(), d.prefix() + (needed
          ? "crop_aspect_buckets must be provided when crop_aspect is set to '" + aspectName + "'."
          : "crop_aspect_buckets must be a list of float values or a list of dictionaries."), ALLOWED);
      return List.of();
    }
    List<AspectChoice> out = new ArrayList<>();
    for (JsonNode e : buckets) {
      if (e.isNumber()) {
        out.add(new AspectChoice(e.doubleValue(), null, e.isIntegralNumber()));
      } else if (e.isObject() && e.path("aspect").isNumber() && (!e.has("weight") || e.get("weight").isNumber())) {
        JsonNode w = e.get("weight");
        out.add(new AspectChoice(e.get("aspect").doubleValue(), w == null ? null : w.doubleValue(),
            e.get("aspect").isIntegralNumber()));
      } else {
        d.error("crop_aspect_buckets", buckets.toString(), d.prefix()
            + "crop_aspect_buckets must be a list of float values or a list of dictionaries.", ALLOWED);
        return List.of();
      }
    }
    if (aspect == CropAspect.RANDOM) checkRandom(buckets, out, d);
    return needed ? List.copyOf(out) : List.of();
  }

  private static void checkRandom(JsonNode buckets, List<AspectChoice> choices, Diagnostics.Scope d) {
    if (buckets.get(0).isIntegralNumber()) {
      d.error("crop_aspect_buckets", buckets.toString(), d.prefix() + "crop_aspect 'random' needs decimal aspect"
          + " values: SimpleTuner fails at bucketing time when the first is an integer such as "
          + buckets.get(0) + "; write " + buckets.get(0) + ".0.", ALLOWED);
    }
    boolean weighted = choices.stream().anyMatch(c -> c.weight() != null);
    if (!weighted) return;
    double sum = 0;
    for (AspectChoice c : choices) {
      if (c.weight() == null) {
        d.error("crop_aspect_buckets", buckets.toString(), d.prefix()
            + "crop_aspect_buckets mixes weighted and unweighted entries; give every entry a weight.", ALLOWED);
        return;
      }
      sum += c.weight();
    }
    if (sum != 1.0) {
      d.error("crop_aspect_buckets", buckets.toString(), d.prefix() + "crop_aspect_buckets weights must add up to"
          + " exactly 1.0 for crop_aspect 'random'; they add up to " + sum + ".", ALLOWED);
    }
  }
}
