package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What produced an artifact (after Tribuo's provenance): the resolved configuration — every config.json key with
 * defaults filled in, every dataset, the prompt library — as canonical JSON, its SHA-256, and the code version.
 * Caches and exports carry it. Credentials are left out; the file paths and key order of the inputs do not matter.
 *
 * @param json canonical JSON of {@code {"config": …, "datasets": […], "prompt_library": …}}
 * @param sha256 lower-case hex SHA-256 of {@code json} in UTF-8
 */
public record ConfigProvenance(String json, String sha256, String codeVersion) {

  public static ConfigProvenance of(TrainingConfig training, List<DatasetConfig> datasets, PromptLibrary prompts) {
    String json = CanonicalJson.write(document(training, datasets, prompts, false));
    return new ConfigProvenance(json, sha256(json), CodeVersion.current());
  }

  /** The resolved configuration as a JSON tree; {@code withSecrets} false replaces credentials. */
  public static ObjectNode document(TrainingConfig training, List<DatasetConfig> datasets, PromptLibrary prompts,
      boolean withSecrets) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode doc = f.objectNode();
    doc.set("config", training.values().toJson(withSecrets));
    ArrayNode ds = doc.putArray("datasets");
    for (DatasetConfig c : datasets) ds.add(c.values().toJson(withSecrets));
    if (prompts == null) {
      doc.putNull("prompt_library");
    } else {
      ObjectNode p = doc.putObject("prompt_library");
      prompts.prompts().forEach(p::put);
    }
    return doc;
  }

  static String sha256(String text) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
