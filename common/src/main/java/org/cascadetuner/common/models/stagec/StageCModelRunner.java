package org.cascadetuner.common.models.stagec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.models.ModelRunner;
import org.cascadetuner.common.models.lora.LoraAdapterFile;
import org.cascadetuner.common.models.lora.LoraLinears;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * {@code forward --model stage-c}: {@code sample}, {@code timestep_ratio}, {@code clip_text}, {@code clip_text_pooled},
 * {@code clip_img} → {@code out}; with {@code grad_target} also {@code grad_loss} = mean((out − grad_target)²) and
 * {@code grad/<name>} for every trainable parameter: all of them, or the adapters' with {@code --lora}. Eval mode (no
 * dropout), as the goldens. {@code --weights} is a model folder, a weights file beside its config.json, or the hub
 * repository root (then {@code prior/}).
 *
 * <p>{@code sca} / {@code crp}, when given, produce {@code out_sca_crp} (and {@code r_embed_sca_crp}), the goldens'
 * names: there {@code out} and the gradients are the forward with sca = crp = 0 (every public training and inference
 * path), and the conditioned forward is a separate output, so a golden io file runs unchanged.
 */
public final class StageCModelRunner implements ModelRunner {

  static final List<String> REQUIRED = List.of("sample", "timestep_ratio", "clip_text", "clip_text_pooled", "clip_img");

  @Override
  public String name() {
    return "stage-c";
  }

  @Override
  public String describe() {
    return "sample, timestep_ratio, clip_text, clip_text_pooled, clip_img -> out (+ grad_loss, grad/<param> with "
        + "grad_target); sca, crp -> out_sca_crp";
  }

  @Override
  public List<Output> run(String weights, TensorSource inputs, String lora, Backend backend, Configuration conf) {
    for (String name : REQUIRED)
      if (!inputs.contains(name))
        throw new IllegalArgumentException("inputs have no '" + name + "' (Stage C needs " + REQUIRED + " [, sca, crp];"
            + " they have " + inputs.names().stream().sorted().toList() + ")");
    boolean gradients = inputs.contains("grad_target");
    StageCModelFolder folder = StageCModelFolder.resolve(weights, "stage-c", conf);
    LoraAdapterFile adapter = lora == null ? null : LoraAdapterFile.open(lora, conf);
    try {
      Predicate<String> trainable = !gradients ? n -> false : adapter != null ? LoraLinears.TRAINABLE : n -> true;
      LoraLinears[] adapters = new LoraLinears[1];
      Function<ParameterStore, LinearBuilder> linears = adapter == null ? s -> LinearBuilder.PLAIN
          : s -> adapters[0] = LoraLinears.from(adapter, s);
      try (StableCascadeUNet model = StableCascadeUNet.load(folder, conf, backend, trainable, linears)) {
        if (adapters[0] != null) adapters[0].checkEveryAdapterWasUsed();
        return run(model, inputs, gradients);
      }
    } finally {
      if (adapter != null) adapter.close();
    }
  }

  private static List<Output> run(StableCascadeUNet model, TensorSource inputs, boolean gradients) {
    Backend be = model.parameters().backend();
    List<Tensor> owned = new ArrayList<>();
    try {
      StableCascadeUNet.Inputs in = new StableCascadeUNet.Inputs(tensor(be, inputs, "sample", owned),
          tensor(be, inputs, "timestep_ratio", owned), tensor(be, inputs, "clip_text_pooled", owned),
          tensor(be, inputs, "clip_text", owned), tensor(be, inputs, "clip_img", owned), null, null);
      List<Output> outputs = new ArrayList<>();
      Tensor sca = tensor(be, inputs, "sca", owned), crp = tensor(be, inputs, "crp", owned);
      if (sca != null || crp != null) {
        StableCascadeUNet.Inputs cond = new StableCascadeUNet.Inputs(in.sample(), in.timestepRatio(),
            in.clipTextPooled(), in.clipText(), in.clipImg(), sca, crp);
        try (Tensor out = model.forward(cond, Tape.NONE, StableCascadeUNet.Mode.EVAL);
            Tensor r = model.timestepEmbedding(in.timestepRatio(), sca, crp)) {
          outputs.add(new Output("out_sca_crp", out.toFloats(), out.shape()));
          outputs.add(new Output("r_embed_sca_crp", r.toFloats(), r.shape()));
        }
      }
      if (!gradients) {
        try (Tensor out = model.forward(in, Tape.NONE, StableCascadeUNet.Mode.EVAL)) {
          outputs.add(0, new Output("out", out.toFloats(), out.shape()));
        }
        return outputs;
      }
      try (Tape tape = Tape.recording(); Tensor out = model.forward(in, tape, StableCascadeUNet.Mode.EVAL);
          MeanSquaredError mse = MeanSquaredError.of(out, tensor(be, inputs, "grad_target", owned))) {
        outputs.add(0, new Output("out", out.toFloats(), out.shape()));
        outputs.add(1, new Output("grad_loss", new float[] {mse.loss()}, new long[0]));
        model.backward(mse.gradient(), tape);
      }
      for (Parameter p : model.parameters().trainable())
        outputs.add(new Output("grad/" + p.name(), p.grad().toFloats(), p.shape()));
      return outputs;
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** The named input as a tensor (null when absent), remembered for closing. */
  private static Tensor tensor(Backend be, TensorSource inputs, String name, List<Tensor> owned) {
    if (!inputs.contains(name)) return null;
    Tensor t = be.fromFloats(inputs.floats(name), inputs.info(name).shape());
    owned.add(t);
    return t;
  }
}
