package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every key of one table with its value after defaults (null: unset), and which keys the user gave. Immutable.
 * Typed readers below keep the casts in one place.
 */
public final class ResolvedValues<K extends Enum<K> & KeySpec> {
  private final Map<K, Object> values;
  private final Set<K> given;

  public ResolvedValues(Class<K> type, Map<K, Object> values, Set<K> given) {
    EnumMap<K, Object> v = new EnumMap<>(type);
    v.putAll(values);
    EnumSet<K> g = EnumSet.noneOf(type);
    g.addAll(given);
    this.values = Collections.unmodifiableMap(v);
    this.given = Collections.unmodifiableSet(g);
  }

  public Object get(K key) {
    return values.get(key);
  }

  /** True when the file or {@code --set} gave the key (rather than its default). */
  public boolean given(K key) {
    return given.contains(key);
  }

  public Map<K, Object> asMap() {
    return values;
  }

  public boolean bool(K key) {
    return (Boolean) values.get(key);
  }

  public long integer(K key) {
    return (Long) values.get(key);
  }

  public Long optionalInteger(K key) {
    return (Long) values.get(key);
  }

  public double real(K key) {
    return ((Number) values.get(key)).doubleValue();
  }

  public Double optionalReal(K key) {
    Number n = (Number) values.get(key);
    return n == null ? null : n.doubleValue();
  }

  public String text(K key) {
    return (String) values.get(key);
  }

  public <T> T as(K key, Class<T> type) {
    return type.cast(values.get(key));
  }

  @SuppressWarnings("unchecked")
  public List<String> texts(K key) {
    return (List<String>) values.get(key);
  }

  /** Keys sorted by name; unset keys as JSON null; credentials replaced unless {@code withSecrets}. */
  public ObjectNode toJson(boolean withSecrets) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    values.keySet().stream().sorted(Comparator.comparing(KeySpec::key)).forEach(k -> {
      Object v = values.get(k);
      if (v == null) o.putNull(k.key());
      else if (k.secret() && !withSecrets) o.put(k.key(), "<redacted>");
      else o.set(k.key(), k.type().toJson(v));
    });
    return o;
  }
}
