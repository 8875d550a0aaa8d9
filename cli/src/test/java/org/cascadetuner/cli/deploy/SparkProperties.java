package org.cascadetuner.cli.deploy;

import java.util.LinkedHashMap;
import java.util.Map;

/** Spark properties files as spark-submit reads them: {@code key value} or {@code key=value}, # comments. */
final class SparkProperties {
  private SparkProperties() {}

  static Map<String, String> parse(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      int cut = 0;
      while (cut < line.length() && !Character.isWhitespace(line.charAt(cut)) && line.charAt(cut) != '=') cut++;
      String key = line.substring(0, cut);
      String value = line.substring(cut).strip();
      if (value.startsWith("=")) value = value.substring(1).strip();
      if (m.put(key, value) != null) throw new IllegalArgumentException("duplicate key " + key);
    }
    return m;
  }
}
