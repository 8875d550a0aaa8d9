package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SimpleTuner's {@code _handle_resolution_conversion} (spec data-pipeline §2.4), applied to a dataset entry before
 * anything else: under {@code resolution_type: pixel_area} (the entry's or config.json's) the entry becomes
 * {@code area} with {@code resolution = edge²/10⁶}, and each of maximum_image_size, target_downsample_size and
 * minimum_image_size that the entry sets to a number above 0 is squared and divided by 10⁶ likewise. Values that
 * come from config.json are not converted (as in SimpleTuner).
 *
 * <p>Deviation (DESIGN decision 4): a square {@code "WxW"} resolution string is read as W with a warning, where
 * SimpleTuner requires an integer.
 */
public final class PixelAreaNormalisation {
  private PixelAreaNormalisation() {}

  private static final List<String> SIZE_KEYS = List.of("maximum_image_size", "target_downsample_size",
      "minimum_image_size");
  private static final Pattern SQUARE = Pattern.compile("\\s*(\\d+)\\s*x\\s*(\\d+)\\s*");

  /**
   * The normalised copy of {@code entry} (the entry itself when it is not pixel_area).
   *
   * @param globalResolution config.json's resolution (SimpleTuner takes {@code int()} of it)
   * @param globalType config.json's resolution_type spelling
   */
  public static ObjectNode apply(ObjectNode entry, Number globalResolution, String globalType,
      Diagnostics.Scope d) {
    JsonNode typeNode = entry.get("resolution_type");
    String type = typeNode != null && typeNode.isTextual() ? typeNode.textValue() : globalType;
    if (!"pixel_area".equals(type)) return entry;

    ObjectNode out = entry.deepCopy();
    long edge = edge(entry.get("resolution"), globalResolution.longValue(), d);
    out.put("resolution_type", "area");
    out.put("resolution", squareToMegapixels(edge));
    for (String k : SIZE_KEYS) {
      JsonNode v = entry.get(k);
      if (v == null || !v.isNumber() || v.doubleValue() <= 0) continue;
      out.put(k, v.isIntegralNumber() ? squareToMegapixels(v.longValue()) : v.doubleValue() * v.doubleValue() / 1e6);
    }
    return out;
  }

  /** The pixel edge: the entry's integer resolution, a square "WxW" (with a warning), or config.json's. */
  private static long edge(JsonNode res, long globalEdge, Diagnostics.Scope d) {
    if (res == null || res.isNull()) return globalEdge;
    if (res.isIntegralNumber() && res.canConvertToLong()) return res.longValue();
    if (res.isTextual()) {
      Matcher m = SQUARE.matcher(res.textValue());
      if (m.matches() && m.group(1).equals(m.group(2))) {
        long w = Long.parseLong(m.group(1));
        d.warning("resolution", res.toString(), d.prefix() + "resolution " + res + " is read as " + w
            + " under resolution_type pixel_area (SimpleTuner requires an integer edge and rejects it).");
        return w;
      }
    }
    d.error("resolution", res.toString(), d.prefix() + "Resolution type 'pixel_area' requires a 'resolution' field"
        + " set to an integer edge in pixels, in the format: 1024, but " + res + " was given.",
        "an integer number of pixels, such as 1024");
    return globalEdge;
  }

  /** edge²/10⁶ as Python computes {@code int * int / 1_000_000}: exact square, one correctly rounded division. */
  private static double squareToMegapixels(long edge) {
    return (double) (edge * edge) / 1_000_000.0;
  }
}
