package org.cascadetuner.trainer.optim;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Tensor;

/**
 * torch.optim.SGD without dampening or Nesterov: {@code d = g + wd·p}; with momentum {@code buf = μ·buf + d} (the
 * first update sets {@code buf = d}); {@code p −= lr·buf} (or {@code lr·d}). The update is {@link Backend#sgdStep}.
 * Plain SGD is what makes parameter averaging with {@code averaging_frequency = 1} equal synchronous data-parallel
 * training.
 */
public final class Sgd implements Optimizer {
  public static final String NAME = "sgd";

  public record Settings(double momentum, double weightDecay) {
    public Settings {
      if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("sgd momentum is " + momentum
          + "; allowed: [0, 1)");
      if (!(weightDecay >= 0)) throw new IllegalArgumentException("sgd weight decay is " + weightDecay + "; allowed: >= 0");
    }
  }

  private static final class Slot {
    final Tensor buf; // null without momentum
    long step;

    Slot(Tensor buf, long step) {
      this.buf = buf;
      this.step = step;
    }
  }

  private final Settings settings;
  private final Map<String, Slot> slots = new LinkedHashMap<>();

  public Sgd(Settings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void step(List<Parameter> params, double lr) {
    if (!(lr >= 0)) throw new IllegalArgumentException("learning rate is " + lr + "; it must be >= 0");
    for (Parameter p : params) {
      if (!p.trainable()) continue;
      Backend be = p.value().backend();
      Slot s = slots.computeIfAbsent(p.name(), n -> new Slot(settings.momentum() != 0 ? be.zeros(p.shape()) : null, 0));
      be.sgdStep(p.value(), p.grad(), s.buf, lr, settings.momentum(), settings.weightDecay(), s.step == 0);
      s.step++;
    }
  }

  @Override
  public OptimizerState state() {
    Map<String, Long> steps = new HashMap<>();
    Map<String, float[]> tensors = new LinkedHashMap<>();
    slots.forEach((name, s) -> {
      steps.put(name, s.step);
      if (s.buf != null) tensors.put(OptimizerState.key("momentum_buffer", name), s.buf.toFloats());
    });
    return new OptimizerState(NAME, steps, tensors);
  }

  @Override
  public void restore(OptimizerState state, List<Parameter> params) {
    state.requireOptimizer(NAME);
    Map<String, Slot> next = new LinkedHashMap<>();
    for (Parameter p : OptimizerState.trainable(params)) {
      Tensor buf = settings.momentum() != 0
          ? p.value().backend().fromFloats(state.slot("momentum_buffer", p), p.shape()) : null;
      next.put(p.name(), new Slot(buf, state.step(p)));
    }
    close();
    slots.putAll(next);
  }

  @Override
  public void close() {
    for (Slot s : slots.values()) if (s.buf != null) s.buf.close();
    slots.clear();
  }
}
