package org.cascadetuner.common.config;

import java.util.Map;
import java.util.Set;

/**
 * {@code --set key=value}: one config.json key set from the command line, typed by the key's type (text as
 * argparse reads it: {@code 4}, {@code 1e-4}, {@code true}, {@code to_q,to_k}). An unknown key is an error that
 * names the closest known key.
 */
final class Overrides {
  private Overrides() {}

  /** The key set, or null after reporting why the assignment was refused. */
  static TrainingKey apply(String assignment, Map<TrainingKey, Object> values, Set<TrainingKey> given,
      Diagnostics.Scope d) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      d.error(null, "\"" + assignment + "\"", "--set needs key=value, got \"" + assignment + "\".", "key=value");
      return null;
    }
    String name = assignment.substring(0, eq).trim();
    String text = assignment.substring(eq + 1);
    TrainingKey key = TrainingKey.lookup(name);
    if (key == null) {
      d.error(name, "\"" + text + "\"", "unknown key \"" + name + "\"; the closest known key is \""
          + EditDistance.closest(name, TrainingKey.names()) + "\".", "a key of config.json");
      return null;
    }
    try {
      values.put(key, key.type().fromText(text));
      given.add(key);
      return key;
    } catch (InvalidValue e) {
      d.error(name, "\"" + text + "\"", name + " must be " + e.allowed() + ".", e.allowed());
      return null;
    }
  }
}
