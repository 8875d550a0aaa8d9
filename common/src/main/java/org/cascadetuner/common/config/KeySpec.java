package org.cascadetuner.common.config;

import java.util.List;

/**
 * One row of a key table: the key's name in the files, its type, its default (null: unset) and a one-line doc,
 * which is also what README's "Configuration keys" lists. Implemented by the enums {@link TrainingKey} (config.json)
 * and {@link DatasetKey} (multidatabackend.json), the single place every key is declared.
 */
public interface KeySpec {
  String key();

  ValueType type();

  Object defaultValue();

  String doc();

  /** Other names the files may use for this key (SimpleTuner's old spellings). */
  List<String> aliases();

  /** Credentials: never printed, never written into provenance. */
  default boolean secret() {
    return false;
  }
}
