package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How a configuration value is read: from JSON (the files) or from text ({@code --set key=value}), into one Java
 * value (Boolean, Long, Double, String, List, an enum constant or a JsonNode). A closed set, one record per kind.
 * Text parsing follows SimpleTuner, whose config.json values pass through argparse: {@code "4"} is an integer,
 * {@code "yes"} a boolean.
 */
public sealed interface ValueType
    permits ValueType.Bool, ValueType.Int, ValueType.Real, ValueType.Num, ValueType.Text, ValueType.Choice,
        ValueType.TextList, ValueType.Sizes, ValueType.Json {

  Object fromJson(JsonNode node) throws InvalidValue;

  Object fromText(String text) throws InvalidValue;

  JsonNode toJson(Object value);

  /** What is allowed, as a phrase: "a positive integer", "one of ['a', 'b']". */
  String describe();

  JsonNodeFactory NODES = JsonNodeFactory.instance;

  static Bool bool() {
    return new Bool();
  }

  static Int integer(long min, long max) {
    return new Int(min, max, List.of(), false);
  }

  static Int oneOfIntegers(Long... allowed) {
    return new Int(Long.MIN_VALUE, Long.MAX_VALUE, List.of(allowed), false);
  }

  static Real real(double min, double max) {
    return new Real(min, false, max, false);
  }

  static Real positive() {
    return new Real(0, true, Double.MAX_VALUE, false);
  }

  static Text text() {
    return new Text();
  }

  static TextList textList(boolean splitCommas) {
    return new TextList(splitCommas);
  }

  /** Options of a closed set from an enum whose constants say how they are spelled. */
  static <E extends Enum<E> & Spelled> Choice choice(E[] constants) {
    return new Choice(Arrays.stream(constants).map(c -> new Choice.Option(c.spelling(), c)).toList(), false);
  }

  /** {@code true}/{@code false}; also the strings argparse accepts (1/0, yes/no, y/n, on/off). */
  record Bool() implements ValueType {
    private static final Set<String> TRUE = Set.of("1", "true", "yes", "y", "on");
    private static final Set<String> FALSE = Set.of("0", "false", "no", "n", "off");

    @Override
    public Object fromJson(JsonNode node) throws InvalidValue {
      if (node.isBoolean()) return node.booleanValue();
      if (node.isTextual() || node.isIntegralNumber()) return fromText(node.asText());
      throw new InvalidValue(describe());
    }

    @Override
    public Object fromText(String text) throws InvalidValue {
      String t = text.trim().toLowerCase(Locale.ROOT);
      if (TRUE.contains(t)) return true;
      if (FALSE.contains(t)) return false;
      throw new InvalidValue(describe());
    }

    @Override
    public JsonNode toJson(Object value) {
      return NODES.booleanNode((Boolean) value);
    }

    @Override
    public String describe() {
      return "true or false";
    }
  }

  /**
   * A whole number in [min, max], or one of {@code allowed} when that is not empty. JSON numbers with a fraction
   * ({@code 4.0}) are refused, as argparse's {@code int()} refuses "4.0". {@code canonicalTextOnly}: a string must be
   * written without sign or leading zeros (SimpleTuner's rule for a dataset's train_batch_size).
   */
  record Int(long min, long max, List<Long> allowed, boolean canonicalTextOnly) implements ValueType {
    private static final Pattern ANY = Pattern.compile("[+-]?\\d+");
    private static final Pattern CANONICAL = Pattern.compile("0|[1-9]\\d*");

    public Int {
      allowed = List.copyOf(allowed);
    }

    public Int strictText() {
      return new Int(min, max, allowed, true);
    }

    @Override
    public Object fromJson(JsonNode node) throws InvalidValue {
      if (node.isIntegralNumber() && node.canConvertToLong()) return check(node.longValue());
      if (node.isTextual()) return fromText(node.textValue());
      throw new InvalidValue(describe());
    }

    @Override
    public Object fromText(String text) throws InvalidValue {
      String t = canonicalTextOnly ? text : text.trim();
      if (!(canonicalTextOnly ? CANONICAL : ANY).matcher(t).matches()) throw new InvalidValue(describe());
      try {
        return check(Long.parseLong(t));
      } catch (NumberFormatException e) {
        throw new InvalidValue(describe());
      }
    }

    private long check(long v) throws InvalidValue {
      boolean ok = allowed.isEmpty() ? v >= min && v <= max : allowed.contains(v);
      if (!ok) throw new InvalidValue(describe());
      return v;
    }

    @Override
    public JsonNode toJson(Object value) {
      return NODES.numberNode((Long) value);
    }

    @Override
    public String describe() {
      if (!allowed.isEmpty()) return "one of " + allowed;
      String base = min == 1 ? "a positive integer" : min == 0 ? "a non-negative integer" : "an integer ≥ " + min;
      return max == Long.MAX_VALUE ? base : base + " ≤ " + max;
    }
  }

  /** A number (JSON number or numeric string) in the interval; NaN and infinities are refused. */
  record Real(double min, boolean minExclusive, double max, boolean maxExclusive) implements ValueType {
    public Real exclusiveMax() {
      return new Real(min, minExclusive, max, true);
    }

    public Real withMinExclusive() {
      return new Real(min, true, max, maxExclusive);
    }

    @Override
    public Object fromJson(JsonNode node) throws InvalidValue {
      if (node.isNumber()) return check(node.doubleValue());
      if (node.isTextual()) return fromText(node.textValue());
      throw new InvalidValue(describe());
    }

    @Override
    public Object fromText(String text) throws InvalidValue {
      try {
        return check(Double.parseDouble(text.trim()));
      } catch (NumberFormatException e) {
        throw new InvalidValue(describe());
      }
    }

    private double check(double v) throws InvalidValue {
      boolean ok = Double.isFinite(v)
          && (minExclusive ? v > min : v >= min)
          && (maxExclusive ? v < max : v <= max);
      if (!ok) throw new InvalidValue(describe());
      return v;
    }

    @Override
    public JsonNode toJson(Object value) {
      return NODES.numberNode((Double) value);
    }

    @Override
    public String describe() {
      String lo = (minExclusive ? "> " : "≥ ") + fmt(min);
      if (max == Double.MAX_VALUE) return "a number " + lo;
      return "a number " + lo + " and " + (maxExclusive ? "< " : "≤ ") + fmt(max);
    }

    private static String fmt(double v) {
      return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
  }

  /**
   * A non-negative number that keeps how it was written: a JSON integer stays a Long, anything else becomes a
   * Double. SimpleTuner treats the two differently (pixel_area requires an integer edge, spec §2.4).
   */
  record Num() implements ValueType {
    @Override
    public Object fromJson(JsonNode node) throws InvalidValue {
      if (node.isIntegralNumber() && node.canConvertToLong()) return check(node.longValue());
      if (node.isNumber()) return check(node.doubleValue());
      if (node.isTextual()) return fromText(node.textValue());
      throw new InvalidValue(describe());
    }

    @Override
    public Object fromText(String text) throws InvalidValue {
      String t = text.trim();
      try {
        if (t.matches("\\d+")) return check(Long.parseLong(t));
        return check(Double.parseDouble(t));
      } catch (NumberFormatException e) {
        throw new InvalidValue(describe());
      }
    }

    private static Object check(Number v) throws InvalidValue {
      double d = v.doubleValue();
      if (!Double.isFinite(d) || d < 0) throw new InvalidValue("a number ≥ 0");
      return v;
    }

    @Override
    public JsonNode toJson(Object value) {
      return value instanceof Long l ? NODES.numberNode(l) : NODES.numberNode((Double) value);
    }

    @Override
    public String describe() {
      return "a number ≥ 0";
    }
  }

  /** Free text; JSON numbers and booleans are taken as their text, as argparse would. */
  record Text() implements ValueType {
    @Override
    public Object fromJson(JsonNode node) throws InvalidValue {
      if (node.isValueNode()) return node.asText();
      throw new InvalidValue(describe());
    }

    @Override
    public Object fromText(String text) {
      return text;
    }

    @Override
    public JsonNode toJson(Object value) {
      return NODES.textNode((String) value);
    }

    @Override
    public String describe() {
      return "a string";
    }
  }

  /**
   * One of a closed set. Several spellings may map to one value ({@code centre} and {@code center}); the value is
   * written back with the first spelling that maps to it. The phrase lists the spellings as SimpleTuner's messages do.
   */
  record Choice(List<Option> options, boolean caseInsensitive) implements ValueType {
    public record Option(String spelling, Object value) {}

    public Choice {
      options = List.copyOf(options);
    }

    public Choice ignoringCase() {
      return new Choice(options, true);
    }

    public List<String> spellings() {
      return options.stream().map(Option::spelling).toList();
    }

    @Override
    public Object fromJson(JsonNode node) throws InvalidValue {
      if (node.isTextual()) return fromText(node.textValue());
      throw new InvalidValue(describe());
    }

    @Override
    public Object fromText(String text) throws InvalidValue {
      String t = caseInsensitive ? text.trim().toLowerCase(Locale.ROOT) : text;
      for (Option o : options) if (o.spelling().equals(t)) return o.value();
      throw new InvalidValue(describe());
    }

    @Override
    public JsonNode toJson(Object value) {
      for (Option o : options) if (o.value().equals(value)) return NODES.textNode(o.spelling());
      throw new IllegalArgumentException("not an option: " + value);
    }

    @Override
    public String describe() {
      return "one of " + spellings().stream().map(s -> "'" + s + "'").collect(Collectors.joining(", ", "[", "]"));
    }
  }

  /**
   * A list of strings: a JSON array, a string holding a JSON array, or one string (split on commas when
   * {@code splitCommas}, else a single entry). Entries are trimmed; empty ones dropped.
   */
  record TextList(boolean splitCommas) implements ValueType {
    @Override
    public Object fromJson(JsonNode node) throws InvalidValue {
      if (node.isArray()) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : node) {
          if (!e.isTextual()) throw new InvalidValue(describe());
          if (!e.textValue().isBlank()) out.add(e.textValue().trim());
        }
        if (out.isEmpty()) throw new InvalidValue(describe());
        return List.copyOf(out);
      }
      if (node.isTextual()) return fromText(node.textValue());
      throw new InvalidValue(describe());
    }

    @Override
    public Object fromText(String text) throws InvalidValue {
      String t = text.trim();
      if (t.startsWith("[")) {
        try {
          return fromJson(new ObjectMapper().readTree(t));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new InvalidValue(describe());
        }
      }
      List<String> out = splitCommas
          ? Arrays.stream(t.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()
          : (t.isEmpty() ? List.of() : List.of(t));
      if (out.isEmpty()) throw new InvalidValue(describe());
      return out;
    }

    @Override
    public JsonNode toJson(Object value) {
      ArrayNode a = NODES.arrayNode();
      for (Object s : (List<?>) value) a.add((String) s);
      return a;
    }

    @Override
    public String describe() {
      return splitCommas ? "a list of strings (JSON array or comma-separated)" : "a string or a list of strings";
    }
  }

  /** Image sizes: {@code 1024}, {@code "1024x768"}, or several separated by commas ({@code validation_resolution}). */
  record Sizes() implements ValueType {
    private static final Pattern ONE = Pattern.compile("(\\d+)(?:x(\\d+))?");

    /** A width × height in pixels. */
    public record Size(long width, long height) {
      @Override
      public String toString() {
        return width + "x" + height;
      }
    }

    @Override
    public Object fromJson(JsonNode node) throws InvalidValue {
      if (node.isIntegralNumber()) return fromText(node.asText());
      if (node.isTextual()) return fromText(node.textValue());
      throw new InvalidValue(describe());
    }

    @Override
    public Object fromText(String text) throws InvalidValue {
      List<Size> out = new ArrayList<>();
      for (String part : text.split(",")) {
        Matcher m = ONE.matcher(part.trim());
        if (!m.matches()) throw new InvalidValue(describe());
        long w = Long.parseLong(m.group(1));
        long h = m.group(2) == null ? w : Long.parseLong(m.group(2));
        if (w <= 0 || h <= 0) throw new InvalidValue(describe());
        out.add(new Size(w, h));
      }
      return List.copyOf(out);
    }

    @Override
    public JsonNode toJson(Object value) {
      List<?> sizes = (List<?>) value;
      return NODES.textNode(sizes.stream().map(Object::toString).collect(Collectors.joining(",")));
    }

    @Override
    public String describe() {
      return "pixel sizes such as 1024 or \"1024x1024\" (comma-separated for several)";
    }
  }

  /** Structured JSON kept as given (an object or array); its own rules check it further. */
  record Json(String shape) implements ValueType {
    @Override
    public Object fromJson(JsonNode node) throws InvalidValue {
      if (node.isContainerNode() || node.isTextual()) return node.deepCopy();
      throw new InvalidValue(describe());
    }

    @Override
    public Object fromText(String text) throws InvalidValue {
      try {
        return fromJson(new ObjectMapper().readTree(text));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new InvalidValue(describe());
      }
    }

    @Override
    public JsonNode toJson(Object value) {
      return ((JsonNode) value).deepCopy();
    }

    @Override
    public String describe() {
      return shape;
    }
  }
}
