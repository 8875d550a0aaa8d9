package org.cascadetuner.common.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The core of {@code cascade-tuner geometry} (DESIGN "Contracts"): reads JSON lines {@code {"width":W,"height":H}}
 * and writes one JSON line each with {@code kept}, {@code reject_reason}, {@code target_size} [w,h],
 * {@code resize_before_crop} [w,h], {@code crop_top_left} [top,left], {@code aspect_bucket} and
 * {@code latent_shape} [16,h,w]; also {@code intermediary_size} (SimpleTuner's metadata value) and
 * {@code reject_detail}. Fields that do not apply are null. Blank input lines are skipped.
 *
 * <p>A line may carry an {@code "id"} (the image's dataset-relative path); it seeds random crops. Without one the
 * key is the 1-based line number, so a given input file always gives the same output.
 */
public final class GeometryLines {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ImageGeometry geometry;

  public GeometryLines(ImageGeometry geometry) {
    this.geometry = geometry;
  }

  /** Processes every line; returns how many images were written. Malformed input stops with the line number. */
  public long run(Reader in, Writer out) {
    BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
    long lineNo = 0;
    long written = 0;
    try {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lineNo++;
        if (line.isBlank()) continue;
        out.write(process(line, lineNo));
        out.write('\n');
        written++;
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return written;
  }

  /** One input line to one output line (without the newline). */
  public String process(String line, long lineNo) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("line " + lineNo + ": not JSON (" + e.getOriginalMessage()
          + "); expected {\"width\":W,\"height\":H}");
    }
    if (n == null || !n.isObject() || !isInteger(n.get("width")) || !isInteger(n.get("height"))) {
      throw new IllegalArgumentException("line " + lineNo + ": expected {\"width\":W,\"height\":H} with integer "
          + "pixel sizes, got " + line.strip());
    }
    String key = n.hasNonNull("id") ? n.get("id").asText() : Long.toString(lineNo);
    GeometryResult g = geometry.compute(Size.of(n.get("width").asLong(), n.get("height").asLong()), key);
    try {
      return JSON.writeValueAsString(toJson(g));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The contract's field set for one result. */
  public static Map<String, Object> toJson(GeometryResult g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kept", g.kept());
    if (g instanceof GeometryResult.Kept k) {
      m.put("reject_reason", null);
      m.put("target_size", k.target().toList());
      m.put("resize_before_crop", k.resizeBeforeCrop().toList());
      m.put("crop_top_left", java.util.List.of(k.crop().top(), k.crop().left()));
      m.put("aspect_bucket", k.bucket());
      m.put("latent_shape", k.latent().toList());
      m.put("intermediary_size", k.intermediary().toList());
      m.put("reject_detail", null);
    } else {
      GeometryResult.Rejected r = (GeometryResult.Rejected) g;
      m.put("reject_reason", r.reason().code());
      m.put("target_size", null);
      m.put("resize_before_crop", null);
      m.put("crop_top_left", null);
      m.put("aspect_bucket", null);
      m.put("latent_shape", null);
      m.put("intermediary_size", null);
      m.put("reject_detail", r.detail());
    }
    return m;
  }

  private static boolean isInteger(JsonNode v) {
    return v != null && (v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble())));
  }
}
