package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.cascadetuner.common.testing.SharedFiles;

/** The spec's test vectors (shared/spec/bucket-vectors.json) and quickstart files, read at test time. */
final class Vectors {
  private Vectors() {}

  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode spec(String relative) {
    try {
      return JSON.readTree(SharedFiles.spec(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> category(String... categories) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode v : spec("bucket-vectors.json")) {
      for (String c : categories) if (v.get("category").textValue().equals(c)) out.add(v);
    }
    if (out.isEmpty()) throw new IllegalStateException("no vectors of " + List.of(categories));
    return out;
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
