package org.cascadetuner.trainer.optim;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Tensor;

/**
 * torch.optim.AdamW: decoupled weight decay, bias-corrected moments, float32 state m (exp_avg) and v (exp_avg_sq)
 * and a step count per parameter; the update itself is {@link Backend#adamwStep}.
 */
public final class AdamW implements Optimizer {
  public static final String NAME = "adamw";

  /** β1, β2, ε and the decoupled weight decay (torch's defaults: 0.9, 0.999, 1e-8, 0.01). */
  public record Settings(double beta1, double beta2, double eps, double weightDecay) {
    public Settings {
      if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("adam_beta1 is " + beta1 + "; allowed: [0, 1)");
      if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("adam_beta2 is " + beta2 + "; allowed: [0, 1)");
      if (!(eps >= 0)) throw new IllegalArgumentException("adam_epsilon is " + eps + "; allowed: >= 0");
      if (!(weightDecay >= 0)) throw new IllegalArgumentException("adam_weight_decay is " + weightDecay + "; allowed: >= 0");
    }

    public static Settings torchDefaults() {
      return new Settings(0.9, 0.999, 1e-8, 0.01);
    }

    Backend.AdamW at(double lr) {
      if (!(lr >= 0)) throw new IllegalArgumentException("learning rate is " + lr + "; it must be >= 0");
      return new Backend.AdamW(lr, beta1, beta2, eps, weightDecay);
    }
  }

  private static final class Slot {
    final Tensor m, v;
    long step;

    Slot(Tensor m, Tensor v, long step) {
      this.m = m;
      this.v = v;
      this.step = step;
    }
  }

  private final Settings settings;
  private final Map<String, Slot> slots = new LinkedHashMap<>();

  public AdamW(Settings settings) {
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void step(List<Parameter> params, double lr) {
    Backend.AdamW h = settings.at(lr);
    for (Parameter p : params) {
      if (!p.trainable()) continue;
      Backend be = p.value().backend();
      Slot s = slots.computeIfAbsent(p.name(), n -> new Slot(be.zeros(p.shape()), be.zeros(p.shape()), 0));
      s.step++;
      be.adamwStep(p.value(), p.grad(), s.m, s.v, h, s.step);
    }
  }

  @Override
  public OptimizerState state() {
    Map<String, Long> steps = new HashMap<>();
    Map<String, float[]> tensors = new LinkedHashMap<>();
    slots.forEach((name, s) -> {
      steps.put(name, s.step);
      tensors.put(OptimizerState.key("exp_avg", name), s.m.toFloats());
      tensors.put(OptimizerState.key("exp_avg_sq", name), s.v.toFloats());
    });
    return new OptimizerState(NAME, steps, tensors);
  }

  @Override
  public void restore(OptimizerState state, List<Parameter> params) {
    state.requireOptimizer(NAME);
    Map<String, Slot> next = new LinkedHashMap<>();
    for (Parameter p : OptimizerState.trainable(params)) {
      Backend be = p.value().backend();
      float[] m = state.slot("exp_avg", p), v = state.slot("exp_avg_sq", p);
      next.put(p.name(), new Slot(be.fromFloats(m, p.shape()), be.fromFloats(v, p.shape()), state.step(p)));
    }
    close();
    slots.putAll(next);
  }

  @Override
  public void close() {
    for (Slot s : slots.values()) {
      s.m.close();
      s.v.close();
    }
    slots.clear();
  }
}
