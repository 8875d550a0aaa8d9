package org.cascadetuner.trainer.schedule;

import java.util.List;
import java.util.Locale;

/**
 * A learning-rate schedule as diffusers' {@code get_scheduler} builds it: a pure function of the optimizer step
 * (0-based: the step whose update is about to run) to a factor on the base learning rate, which torch's LambdaLR
 * multiplies in ({@code lr = base_lr * factor}). No state, so a resumed run only needs the step.
 *
 * <p>Every schedule but {@link Constant} warms up linearly over W steps ({@code step / max(1, W)}), then decays
 * over the remaining {@code N - W} steps. The arithmetic follows diffusers' {@code optimization.py} in double
 * precision, operation for operation.
 */
public sealed interface LrSchedule {

  /** The names {@link #named} accepts, as diffusers spells them. */
  List<String> NAMES =
      List.of("constant", "constant_with_warmup", "linear", "cosine", "cosine_with_restarts", "polynomial");

  /** diffusers' polynomial {@code lr_end} default (get_scheduler cannot change it). */
  double DEFAULT_LR_END = 1e-7;

  /** The factor on the base learning rate at {@code step}. */
  double multiplier(long step);

  /** The learning rate at {@code step}. */
  default double lr(double baseLr, long step) {
    return baseLr * multiplier(step);
  }

  /** 1 throughout; no warm-up. */
  record Constant() implements LrSchedule {
    @Override
    public double multiplier(long step) {
      return 1.0;
    }
  }

  /** Linear warm-up to 1, then 1. */
  record ConstantWithWarmup(long warmupSteps) implements LrSchedule {
    public ConstantWithWarmup {
      requireSteps(warmupSteps, 0);
    }

    @Override
    public double multiplier(long step) {
      return step < warmupSteps ? warmup(step, warmupSteps) : 1.0;
    }
  }

  /** Linear warm-up, then a straight line from 1 at W to 0 at N (0 afterwards). */
  record Linear(long warmupSteps, long trainingSteps) implements LrSchedule {
    public Linear {
      requireSteps(warmupSteps, trainingSteps);
    }

    @Override
    public double multiplier(long step) {
      if (step < warmupSteps) return warmup(step, warmupSteps);
      return Math.max(0.0, (double) (trainingSteps - step) / (double) Math.max(1, trainingSteps - warmupSteps));
    }
  }

  /** Linear warm-up, then {@code numCycles} cosine periods over the decay (diffusers' 0.5: one half-cosine to 0). */
  record Cosine(long warmupSteps, long trainingSteps, double numCycles) implements LrSchedule {
    public Cosine {
      requireSteps(warmupSteps, trainingSteps);
    }

    @Override
    public double multiplier(long step) {
      if (step < warmupSteps) return warmup(step, warmupSteps);
      double progress = progress(step, warmupSteps, trainingSteps);
      return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress)));
    }
  }

  /** Linear warm-up, then {@code numCycles} half-cosines from 1 to 0, each restarting at 1; 0 from step N on. */
  record CosineWithRestarts(long warmupSteps, long trainingSteps, double numCycles) implements LrSchedule {
    public CosineWithRestarts {
      requireSteps(warmupSteps, trainingSteps);
      if (!(numCycles > 0)) {
        throw new IllegalArgumentException("lr_num_cycles is " + numCycles + "; cosine_with_restarts needs at least "
            + "one cycle (> 0)");
      }
    }

    @Override
    public double multiplier(long step) {
      if (step < warmupSteps) return warmup(step, warmupSteps);
      double progress = progress(step, warmupSteps, trainingSteps);
      if (progress >= 1.0) return 0.0;
      return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((numCycles * progress) % 1.0))));
    }
  }

  /**
   * Linear warm-up, then {@code lr = (lrInit - lrEnd) * (1 - (step - W) / (N - W))^power + lrEnd}, and lrEnd after
   * step N. It depends on the base rate itself, so the record holds it ({@code lrInit}); the multiplier is that
   * lr over lrInit, as diffusers returns it.
   */
  record Polynomial(long warmupSteps, long trainingSteps, double lrInit, double lrEnd, double power)
      implements LrSchedule {
    public Polynomial {
      requireSteps(warmupSteps, trainingSteps);
      if (!(lrInit > lrEnd)) {
        throw new IllegalArgumentException("lr_end (" + lrEnd + ") must be smaller than the learning rate (" + lrInit
            + ") for the polynomial schedule");
      }
      if (trainingSteps == warmupSteps) {
        throw new IllegalArgumentException("the polynomial schedule decays over max_train_steps - lr_warmup_steps "
            + "steps; both are " + trainingSteps + " (give more training than warm-up steps)");
      }
    }

    @Override
    public double multiplier(long step) {
      if (step < warmupSteps) return warmup(step, warmupSteps);
      if (step > trainingSteps) return lrEnd / lrInit;
      double lrRange = lrInit - lrEnd;
      long decaySteps = trainingSteps - warmupSteps;
      double pctRemaining = 1 - (double) (step - warmupSteps) / decaySteps;
      double decay = lrRange * Math.pow(pctRemaining, power) + lrEnd;
      return decay / lrInit;
    }
  }

  /**
   * The schedule diffusers' {@code get_scheduler(name, ...)} returns: {@code numCycles} is used by
   * cosine_with_restarts only (cosine keeps its half period), {@code power} by polynomial only, whose lr_end is
   * {@link #DEFAULT_LR_END}.
   *
   * @param baseLr the optimizer's learning rate (polynomial decays from it)
   */
  static LrSchedule named(String name, long warmupSteps, long trainingSteps, double numCycles, double power,
      double baseLr) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return switch (key) {
      case "constant" -> new Constant();
      case "constant_with_warmup" -> new ConstantWithWarmup(warmupSteps);
      case "linear" -> new Linear(warmupSteps, trainingSteps);
      case "cosine" -> new Cosine(warmupSteps, trainingSteps, 0.5);
      case "cosine_with_restarts" -> new CosineWithRestarts(warmupSteps, trainingSteps, numCycles);
      case "polynomial" -> new Polynomial(warmupSteps, trainingSteps, baseLr, DEFAULT_LR_END, power);
      default -> throw new IllegalArgumentException("lr_scheduler is '" + name + "'; allowed: " + String.join(", ",
          NAMES));
    };
  }

  private static double warmup(long step, long warmupSteps) {
    return (double) step / (double) Math.max(1, warmupSteps);
  }

  private static double progress(long step, long warmupSteps, long trainingSteps) {
    return (double) (step - warmupSteps) / (double) Math.max(1, trainingSteps - warmupSteps);
  }

  private static void requireSteps(long warmupSteps, long trainingSteps) {
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("lr_warmup_steps is " + warmupSteps + "; it must be 0 or more");
    }
    if (trainingSteps < 0) {
      throw new IllegalArgumentException("max_train_steps is " + trainingSteps + "; it must be 0 or more");
    }
  }
}
