package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** A prompt library file: named validation prompts, {@code {"name": "prompt", …}}, in file order. */
public record PromptLibrary(Map<String, String> prompts) {

  public PromptLibrary {
    prompts = Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
  }

  /** Every entry must be a non-empty string; all problems are reported. */
  public static PromptLibrary read(JsonNode root, Diagnostics.Scope d) {
    Map<String, String> prompts = new LinkedHashMap<>();
    if (root == null) return new PromptLibrary(prompts);
    if (!root.isObject()) {
      d.error(null, null, "A prompt library must be a JSON object of \"name\": \"prompt\" pairs.", null);
      return new PromptLibrary(prompts);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isTextual() && !v.textValue().isBlank()) {
        prompts.put(e.getKey(), v.textValue());
      } else {
        d.error(e.getKey(), v.toString(), "prompt \"" + e.getKey() + "\" must be a non-empty string.",
            "a non-empty string");
      }
    }
    if (prompts.isEmpty() && root.isEmpty()) d.warning(null, null, "The prompt library holds no prompts.");
    return new PromptLibrary(prompts);
  }
}
