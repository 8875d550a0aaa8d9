package org.cascadetuner.common.data;

import static org.cascadetuner.common.data.BucketVectors.checkAll;
import static org.cascadetuner.common.data.BucketVectors.expect;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PyMathTest {
  @Test
  void aspectKeysMatchTheVectors() {
    checkAll("aspect_ratio", v -> {
      JsonNode in = v.get("input");
      double key = PyMath.aspectKey(in.get("width").asLong(), in.get("height").asLong(),
          in.get("aspect_bucket_rounding").asInt());
      expect("aspect", v.get("expected").get("aspect").asDouble(), key);
      expect("bucket_key", v.get("expected").get("bucket_key").asText(), PyMath.repr(key));
    });
  }

  @Test
  void snapMatchesTheVectors() {
    checkAll("round_to_multiple", v -> expect("result", v.get("expected").get("result").asLong(),
        PyMath.snap(v.get("input").get("value").asDouble(), v.get("input").get("multiple").asInt())));
  }

  /** repr, round(x), round(x, n) and int(x) against CPython on ~540 doubles, edge cases and random bit patterns. */
  @Test
  void matchesCPython() {
    JsonNode f = CPythonFixtures.load("cpython_math.json");
    List<String> bad = new ArrayList<>();
    int checked = 0;
    for (JsonNode e : f.get("values")) {
      double x = CPythonFixtures.fromBits(e.get("x").asText());
      checked++;
      if (!PyMath.repr(x).equals(e.get("repr").asText())) bad.add("repr " + e.get("repr").asText() + " → " + PyMath.repr(x));
      if (e.has("round0") && PyMath.round(x) != e.get("round0").asLong()) bad.add("round " + e.get("repr").asText());
      if (e.has("int") && PyMath.trunc(x) != e.get("int").asLong()) bad.add("int " + e.get("repr").asText());
      if (e.has("round_n")) {
        for (JsonNode rn : e.get("round_n")) {
          double want = CPythonFixtures.fromBits(rn.get(1).asText());
          double got = PyMath.round(x, rn.get(0).asInt());
          if (Double.doubleToLongBits(want) != Double.doubleToLongBits(got)) {
            bad.add("round(" + e.get("repr").asText() + ", " + rn.get(0).asInt() + ") = " + PyMath.repr(want)
                + " but was " + PyMath.repr(got));
          }
        }
      }
    }
    assertTrue(checked > 500);
    if (!bad.isEmpty()) fail(bad.size() + " mismatches:\n  " + String.join("\n  ", bad));
  }
}
