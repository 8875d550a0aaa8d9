package org.cascadetuner.common.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.cascadetuner.common.io.TensorSource;

/**
 * All parameters of a model by their checkpoint names (diffusers / Hugging Face names, e.g.
 * {@code down_blocks.0.2.attention.to_q.weight}), in the order the model asked for them. Layers take their weights
 * from here at construction, checking shapes against the config.
 */
public final class ParameterStore implements AutoCloseable {
  private final Backend backend;
  private final TensorSource source;
  private final Predicate<String> trainable;
  private final String where;
  private final Map<String, Parameter> params = new LinkedHashMap<>();

  /**
   * @param source where weights are read from (null for a store filled with {@link #add} only)
   * @param trainable which names get gradient buffers
   * @param where how errors name the source (a file or folder)
   */
  public ParameterStore(Backend backend, TensorSource source, Predicate<String> trainable, String where) {
    this.backend = backend;
    this.source = source;
    this.trainable = trainable;
    this.where = where;
  }

  /** A store whose parameters are all frozen. */
  public static ParameterStore frozen(Backend backend, TensorSource source, String where) {
    return new ParameterStore(backend, source, name -> false, where);
  }

  public Backend backend() {
    return backend;
  }

  /** Loads {@code name} from the source (once), checking its shape; {@code expected} null skips the check. */
  public Parameter load(String name, long... expected) {
    Parameter p = params.get(name);
    if (p == null) {
      if (source == null || !source.contains(name))
        throw new IllegalArgumentException(where + ": no tensor '" + name + "'" + (source == null ? ""
            : " (it has " + source.names().size() + " tensors, e.g. " + source.names().stream().sorted().limit(3).toList() + ")"));
      long[] stored = source.info(name).shape();
      checkShape(name, stored, expected);
      p = new Parameter(name, backend.load(source, name), trainable.test(name));
      params.put(name, p);
    } else {
      checkShape(name, p.shape(), expected);
    }
    return p;
  }

  /** Whether the source holds {@code name} (optional weights such as biases). */
  public boolean has(String name) {
    return params.containsKey(name) || (source != null && source.contains(name));
  }

  /** Adds a parameter made in code (e.g. a freshly initialised adapter); the store takes ownership of {@code value}. */
  public Parameter add(String name, Tensor value) {
    if (params.containsKey(name)) throw new IllegalArgumentException("parameter '" + name + "' already exists");
    Parameter p = new Parameter(name, value, trainable.test(name));
    params.put(name, p);
    return p;
  }

  public Parameter get(String name) {
    Parameter p = params.get(name);
    if (p == null) throw new IllegalArgumentException("no parameter '" + name + "' was loaded");
    return p;
  }

  public Collection<Parameter> all() {
    return Collections.unmodifiableCollection(params.values());
  }

  public List<Parameter> trainable() {
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : params.values()) if (p.trainable()) out.add(p);
    return out;
  }

  /** Names in the source that no layer asked for (a checkpoint that does not fit the config shows up here). */
  public List<String> unused() {
    if (source == null) return List.of();
    return source.names().stream().filter(n -> !params.containsKey(n)).sorted().toList();
  }

  public void zeroGrads() {
    for (Parameter p : params.values()) if (p.grad() != null) backend.fill(p.grad(), 0f);
  }

  public long parameterCount() {
    return params.values().stream().mapToLong(p -> p.value().numel()).sum();
  }

  public long parameterBytes() {
    return params.values().stream().mapToLong(p -> p.value().bytes()).sum();
  }

  public long gradientBytes() {
    return params.values().stream().filter(Parameter::trainable).mapToLong(p -> p.grad().bytes()).sum();
  }

  private void checkShape(String name, long[] actual, long[] expected) {
    if (expected != null && expected.length > 0 && !Arrays.equals(actual, expected))
      throw new IllegalArgumentException(where + ": tensor '" + name + "' has shape " + Arrays.toString(actual)
          + " but the config implies " + Arrays.toString(expected));
  }

  @Override
  public void close() {
    for (Parameter p : params.values()) p.close();
    params.clear();
  }
}
