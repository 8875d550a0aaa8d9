package org.cascadetuner.trainer.optim;

import java.util.List;
import org.cascadetuner.common.nn.Parameter;

/**
 * Updates trainable parameters in place from their accumulated gradients. State (moments, step counts) is created
 * per parameter on its first update and can be saved and restored as plain float arrays by parameter name
 * ({@link OptimizerState}), for checkpoints and for averaging across Spark workers.
 */
public sealed interface Optimizer extends AutoCloseable permits AdamW, AdamWBf16, Sgd {

  /** The configuration name ({@code optimizer} in config.json). */
  String name();

  /** One update of every trainable parameter in {@code params} at learning rate {@code lr} (from the LR schedule). */
  void step(List<Parameter> params, double lr);

  /** A copy of the state. */
  OptimizerState state();

  /**
   * Replaces the state with a saved one, checked against {@code params} (every trainable parameter needs its slots,
   * of its size).
   */
  void restore(OptimizerState state, List<Parameter> params);

  @Override
  void close();
}
