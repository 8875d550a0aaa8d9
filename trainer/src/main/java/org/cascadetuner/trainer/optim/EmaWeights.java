package org.cascadetuner.trainer.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.trainer.schedule.EmaSchedule;

/**
 * The exponential moving average of the trainable weights ({@code use_ema}): a copy of each trainable parameter
 * taken at the start, then after every optimizer update {@code ema = ema·d + param·(1 − d)} with
 * {@code d = schedule.decay(update)} ({@link EmaSchedule}; both factors rounded to float32 first, as torch's
 * {@code ema.mul_(d).add_(param, alpha=1 − d)}). Validation and export can swap the averaged weights in.
 */
public final class EmaWeights implements AutoCloseable {
  private final EmaSchedule schedule;
  private final Map<String, Tensor> ema = new LinkedHashMap<>();
  private long updates;

  /** Starts the average at the current values of the trainable {@code params}. */
  public EmaWeights(EmaSchedule schedule, List<Parameter> params) {
    this.schedule = schedule;
    for (Parameter p : params) if (p.trainable()) ema.put(p.name(), p.value().backend().copy(p.value()));
  }

  /** Folds the parameters' current values in (call once after each optimizer update). */
  public void update(List<Parameter> params) {
    updates++;
    double d = schedule.decay(updates);
    float keep = (float) d, take = (float) (1.0 - d);
    for (Parameter p : params) {
      if (!p.trainable()) continue;
      Tensor e = tensor(p.name());
      Backend be = e.backend();
      be.scaleInPlace(e, keep);
      try (Tensor scaled = be.mul(p.value(), take)) {
        be.addInPlace(e, scaled);
      }
    }
  }

  /** Updates folded in so far. */
  public long updates() {
    return updates;
  }

  /** The averaged value of one parameter (owned by this object). */
  public Tensor tensor(String name) {
    Tensor t = ema.get(name);
    if (t == null) throw new IllegalArgumentException("no EMA of '" + name + "' (it averages " + ema.size()
        + " trainable parameters)");
    return t;
  }

  /** Writes the averaged values into {@code params} (e.g. for validation with EMA weights). */
  public void copyTo(List<Parameter> params) {
    for (Parameter p : params) {
      if (!p.trainable()) continue;
      p.value().backend().assign(p.value(), tensor(p.name()));
    }
  }

  /** A copy of the averages by parameter name (checkpoints). */
  public Map<String, float[]> state() {
    Map<String, float[]> out = new LinkedHashMap<>();
    ema.forEach((n, t) -> out.put(n, t.toFloats()));
    return out;
  }

  /** Restores averages and the update count saved by {@link #state} / {@link #updates}. */
  public void restore(Map<String, float[]> state, long updates) {
    if (updates < 0) throw new IllegalArgumentException("EMA update count " + updates + " is negative");
    for (Map.Entry<String, Tensor> e : ema.entrySet()) {
      float[] v = state.get(e.getKey());
      if (v == null) throw new IllegalArgumentException("EMA state has no '" + e.getKey() + "'");
      if (v.length != e.getValue().numel())
        throw new IllegalArgumentException("EMA state '" + e.getKey() + "' has " + v.length + " values; the parameter has "
            + e.getValue().numel());
    }
    ema.forEach((n, t) -> t.backend().write(t, state.get(n)));
    this.updates = updates;
  }

  @Override
  public void close() {
    ema.values().forEach(Tensor::close);
    ema.clear();
  }
}
