package org.cascadetuner.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.io.SafeTensorsWriter;
import org.cascadetuner.common.models.ModelRunner;
import org.cascadetuner.common.models.ModelRunners;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cascade-tuner forward --model NAME --weights PATH --inputs IN.safetensors --out OUT.safetensors}: runs one
 * model on named inputs and writes its named outputs (float32). The models are the {@link ModelRunner}s on the class
 * path; adding one needs no change here.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
    description = "Run one model on named inputs (safetensors) and write its named outputs.")
public final class ForwardCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "which model: ${COMPLETION-CANDIDATES}",
      completionCandidates = Models.class)
  String model;

  @Option(names = "--weights", required = true, description = "model folder (config.json + weights)")
  String weights;

  @Option(names = "--inputs", required = true, description = "safetensors file with the model's named inputs")
  String inputs;

  @Option(names = "--out", required = true, description = "safetensors file to write")
  String out;

  @Option(names = "--lora", description = "adapter folder (adapter_model.safetensors + adapter_config.json)")
  String lora;

  @Option(names = "--backend", description = "tensor backend (default: -Dcascadetuner.backend, "
      + "$CASCADE_TUNER_BACKEND, else cpu)")
  String backend;

  /** The runner names, for the help text. */
  static final class Models implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return ModelRunners.all().keySet().iterator();
    }
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    Configuration conf = new Configuration();
    try {
      ModelRunner runner = ModelRunners.get(model);
      Backend be = backend == null ? Backends.defaultBackend() : Backends.get(backend);
      List<ModelRunner.Output> outputs;
      try (SafeTensors in = SafeTensors.open(inputs, conf)) {
        outputs = runner.run(weights, in, lora, be, conf);
      }
      SafeTensorsWriter w = new SafeTensorsWriter().metadata("model", runner.name()).metadata("weights", weights);
      for (ModelRunner.Output o : outputs) w.add(o.name(), o.data(), o.shape());
      w.write(out, conf);
      for (ModelRunner.Output o : outputs) stdout.println(o.name() + " " + Arrays.toString(o.shape()));
      stdout.flush();
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("forward: " + e.getMessage());
      err.flush();
      return 2;
    }
  }
}
