package org.cascadetuner.trainer.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cascadetuner.common.nn.Parameter;

/**
 * An optimizer's state as plain values: per parameter its update count and its slot tensors, keyed
 * {@code <slot>/<parameter name>} with torch's slot names ({@code exp_avg}, {@code exp_avg_sq},
 * {@code momentum_buffer}), row-major float32. The tensor map is what checkpoints store and what parameter averaging
 * averages.
 *
 * @param optimizer the optimizer's configuration name
 * @param steps update count per parameter name
 * @param tensors slot values by {@code <slot>/<parameter name>}
 */
public record OptimizerState(String optimizer, Map<String, Long> steps, Map<String, float[]> tensors) {

  public OptimizerState {
    steps = Map.copyOf(steps);
    tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  public static String key(String slot, String parameter) {
    return slot + "/" + parameter;
  }

  /** The saved values of one slot, checked against the parameter's size. */
  float[] slot(String slot, Parameter p) {
    float[] v = tensors.get(key(slot, p.name()));
    if (v == null)
      throw new IllegalArgumentException(optimizer + " state has no '" + key(slot, p.name()) + "' (it holds "
          + tensors.size() + " tensors); was it saved for another model or adapter?");
    if (v.length != p.value().numel())
      throw new IllegalArgumentException(optimizer + " state '" + key(slot, p.name()) + "' has " + v.length
          + " values; the parameter has " + p.value().numel());
    return v;
  }

  long step(Parameter p) {
    Long s = steps.get(p.name());
    if (s == null || s < 0)
      throw new IllegalArgumentException(optimizer + " state has no step count for '" + p.name() + "'");
    return s;
  }

  void requireOptimizer(String name) {
    if (!optimizer.equals(name))
      throw new IllegalArgumentException("optimizer state was saved by '" + optimizer + "'; this run uses '" + name
          + "' (start without the optimizer state, or use the same optimizer)");
  }

  static List<Parameter> trainable(List<Parameter> params) {
    return params.stream().filter(Parameter::trainable).toList();
  }
}
