package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

/**
 * SimpleTuner's {@code fill_variables_in_config_paths} (spec data-pipeline §1.1): {@code {model_family}},
 * {@code {output_dir}} and {@code {id}} in a dataset's string values are replaced by config.json's model family,
 * output_dir and the dataset's id.
 */
final class Placeholders {
  private Placeholders() {}

  static String fill(String s, TrainingConfig training, String id) {
    return s.replace("{model_family}", training.model().family().spelling())
        .replace("{output_dir}", training.checkpoints().outputDir())
        .replace("{id}", id == null ? "{id}" : id);
  }

  /** A copy of the entry with every string (in nested objects and arrays too) filled in. */
  static ObjectNode fill(ObjectNode entry, TrainingConfig training, String id) {
    return (ObjectNode) fillNode(entry.deepCopy(), training, id);
  }

  private static JsonNode fillNode(JsonNode n, TrainingConfig training, String id) {
    if (n.isTextual()) return TextNode.valueOf(fill(n.textValue(), training, id));
    if (n instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        f.setValue(fillNode(f.getValue(), training, id));
      }
    } else if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) a.set(i, fillNode(a.get(i), training, id));
    }
    return n;
  }
}
