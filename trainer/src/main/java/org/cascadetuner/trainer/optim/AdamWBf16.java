package org.cascadetuner.trainer.optim;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cascadetuner.common.diffusion.SeededNoise;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Tensor;

/**
 * SimpleTuner's {@code adamw_bf16}: AdamW whose weights and moments are stored as bfloat16, the update computed in
 * float32. Each update widens m and v to float32, runs {@link Backend#adamwStep} (torch.optim.AdamW semantics), then
 * writes the weights and both moments back with {@link StochasticBf16 stochastic rounding}, so updates smaller than
 * a bfloat16 step still move the weights in expectation instead of being lost.
 *
 * <p>Memory: m and v live on the host as bfloat16 (4 bytes per parameter instead of 8); the weight tensor holds
 * bfloat16-representable float32 values (the engine computes in float32). Random bits: the draw of parameter
 * {@code name}, update {@code step}, slot k (0 weight, 1 m, 2 v) is {@code SeededNoise.key(seed, step,
 * name.hashCode(), k)}.
 */
public final class AdamWBf16 implements Optimizer {
  public static final String NAME = "adamw_bf16";

  private static final class Slot {
    short[] m, v;
    long step;

    Slot(short[] m, short[] v, long step) {
      this.m = m;
      this.v = v;
      this.step = step;
    }
  }

  private final AdamW.Settings settings;
  private final long seed;
  private final Map<String, Slot> slots = new LinkedHashMap<>();

  public AdamWBf16(AdamW.Settings settings, long seed) {
    this.settings = settings;
    this.seed = seed;
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
      int n = Math.toIntExact(p.value().numel());
      Slot s = slots.computeIfAbsent(p.name(), k -> new Slot(new short[n], new short[n], 0));
      s.step++;
      Backend be = p.value().backend();
      try (Tensor m = be.fromFloats(StochasticBf16.widen(s.m), p.shape());
          Tensor v = be.fromFloats(StochasticBf16.widen(s.v), p.shape())) {
        be.adamwStep(p.value(), p.grad(), m, v, h, s.step);
        long tag = p.name().hashCode();
        float[] w = p.value().toFloats();
        StochasticBf16.roundInPlace(w, SeededNoise.key(seed, s.step, tag, 0));
        be.write(p.value(), w);
        StochasticBf16.round(m.toFloats(), s.m, SeededNoise.key(seed, s.step, tag, 1));
        StochasticBf16.round(v.toFloats(), s.v, SeededNoise.key(seed, s.step, tag, 2));
      }
    }
  }

  @Override
  public OptimizerState state() {
    Map<String, Long> steps = new HashMap<>();
    Map<String, float[]> tensors = new LinkedHashMap<>();
    slots.forEach((name, s) -> {
      steps.put(name, s.step);
      tensors.put(OptimizerState.key("exp_avg", name), StochasticBf16.widen(s.m));
      tensors.put(OptimizerState.key("exp_avg_sq", name), StochasticBf16.widen(s.v));
    });
    return new OptimizerState(NAME, steps, tensors);
  }

  /** Restores saved moments, rounded to nearest bfloat16 (exact for state this optimizer saved). */
  @Override
  public void restore(OptimizerState state, List<Parameter> params) {
    state.requireOptimizer(NAME);
    Map<String, Slot> next = new LinkedHashMap<>();
    for (Parameter p : OptimizerState.trainable(params)) {
      next.put(p.name(), new Slot(StochasticBf16.nearest(state.slot("exp_avg", p)),
          StochasticBf16.nearest(state.slot("exp_avg_sq", p)), state.step(p)));
    }
    slots.clear();
    slots.putAll(next);
  }

  @Override
  public void close() {
    slots.clear();
  }
}
