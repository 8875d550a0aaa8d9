package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One text per JSON value, so that equal configurations hash equally: object keys sorted, no whitespace, integers
 * as written, other numbers in their shortest round-tripping decimal (computed exactly with BigDecimal, so the
 * text does not depend on the JDK's Double.toString).
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  public static String write(JsonNode n) {
    StringBuilder sb = new StringBuilder();
    write(n, sb);
    return sb.toString();
  }

  private static void write(JsonNode n, StringBuilder sb) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      sb.append("null");
    } else if (n.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) names.add(it.next());
      names.sort(null);
      sb.append('{');
      for (int i = 0; i < names.size(); i++) {
        if (i > 0) sb.append(',');
        sb.append(TextNode.valueOf(names.get(i)).toString()).append(':');
        write(n.get(names.get(i)), sb);
      }
      sb.append('}');
    } else if (n.isArray()) {
      sb.append('[');
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) sb.append(',');
        write(n.get(i), sb);
      }
      sb.append(']');
    } else if (n.isIntegralNumber()) {
      sb.append(n.bigIntegerValue());
    } else if (n.isNumber()) {
      sb.append(shortest(n.doubleValue()));
    } else {
      sb.append(n.toString()); // text (JSON-escaped) and booleans
    }
  }

  /** The fewest significant digits that read back as {@code d}, in BigDecimal's notation ("4E-7", "0.75"). */
  static String shortest(double d) {
    if (d == 0) return "0.0";
    BigDecimal exact = new BigDecimal(d);
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal r = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (r.doubleValue() == d) {
        String s = r.stripTrailingZeros().toString();
        return s.contains(".") || s.contains("E") ? s : s + ".0";
      }
    }
    return exact.toString();
  }
}
