package org.cascadetuner.common.models;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.nn.Backend;

/**
 * One model behind {@code cascade-tuner forward --model NAME}: reads named inputs, writes named outputs (DESIGN.md
 * "Contracts"). Each model adds one small implementation and one line to
 * {@code META-INF/services/org.cascadetuner.common.models.ModelRunner}; {@link ModelRunners} finds it by name.
 */
public interface ModelRunner {

  /** The {@code --model} value, e.g. {@code clip-text}. */
  String name();

  /** One line for the help text: inputs → outputs. */
  String describe();

  /**
   * Runs the model in the folder {@code weights} on {@code inputs}.
   *
   * @param lora an adapter folder ({@code --lora}), or null
   */
  List<Output> run(String weights, TensorSource inputs, String lora, Backend backend, Configuration conf);

  /** A named float32 result, row-major. */
  record Output(String name, float[] data, long[] shape) {}
}
