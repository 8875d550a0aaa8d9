package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads config.json against the {@link TrainingKey} table, applies {@code --set} overrides, fills defaults and runs
 * {@link TrainingRules}. Keys may carry SimpleTuner's optional leading {@code --}. Every refused value is reported;
 * the key then keeps its default so that the rest can still be checked.
 */
public final class TrainingConfigReader {
  private TrainingConfigReader() {}

  public static TrainingConfig read(JsonNode root, List<String> overrides, Diagnostics.Scope file,
      Diagnostics.Scope set) {
    Map<TrainingKey, Object> values = new EnumMap<>(TrainingKey.class);
    Set<TrainingKey> given = EnumSet.noneOf(TrainingKey.class);
    if (root != null && !root.isObject()) {
      file.error(null, null, "config.json must be a JSON object of \"key\": value pairs.", null);
    } else if (root != null) {
      JsonNode object = TrainingRules.rewrite(root, file);
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        readField(f.getKey().startsWith("--") ? f.getKey().substring(2) : f.getKey(), f.getValue(), values, given,
            file);
      }
    }
    Set<TrainingKey> fromSet = EnumSet.noneOf(TrainingKey.class);
    for (String o : overrides) {
      TrainingKey k = Overrides.apply(o, values, given, set);
      if (k != null) fromSet.add(k);
    }
    for (TrainingKey k : TrainingKey.values()) {
      if (!given.contains(k)) values.put(k, k.defaultValue());
    }
    ResolvedValues<TrainingKey> resolved = new ResolvedValues<>(TrainingKey.class, values, given);
    TrainingRules.check(resolved, key -> fromSet.contains(key) ? set : file);
    return TrainingConfig.of(resolved);
  }

  private static void readField(String name, JsonNode node, Map<TrainingKey, Object> values, Set<TrainingKey> given,
      Diagnostics.Scope d) {
    TrainingKey key = TrainingKey.lookup(name);
    if (key == null) {
      d.warning(name, node.toString(), "unknown key \"" + name + "\" is ignored; the closest known key is \""
          + EditDistance.closest(name, TrainingKey.names()) + "\".");
      return;
    }
    if (given.contains(key)) {
      d.warning(name, node.toString(), key.key() + " is given more than once (also as an alias); the last one counts.");
    }
    if (node.isNull()) return;
    try {
      values.put(key, key.type().fromJson(node));
      given.add(key);
    } catch (InvalidValue e) {
      d.error(name, node.toString(), name + " must be " + e.allowed() + ".", e.allowed());
    }
  }
}
