package org.cascadetuner.common.models.stagec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.io.TensorInfo;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.testing.Compare;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * StableCascadeUNet against diffusers' outputs in goldens/unet_tiny and goldens/unet_repeat: every tensor of
 * io.safetensors (output, r embedding, conditioning, embedding, every block's output, the sca/crp forward) and the
 * gradient of every parameter in grads.safetensors.
 */
class StableCascadeUNetTest {
  static final Backend BE = Backends.get("cpu");

  /** The last value each probe name took (diffusers' forward hooks keep the last call of a repeated block). */
  static Map<String, float[]> probe(StableCascadeUNet model, StableCascadeUNet.Inputs in, Map<String, float[]> into) {
    try (Tensor out = model.forward(in, Tape.NONE, StableCascadeUNet.Mode.EVAL.withProbe(
        (name, t) -> into.put(name, StageCGoldens.asTorch(t))))) {
      into.put("out", out.toFloats());
    }
    return into;
  }

  @ParameterizedTest
  @ValueSource(strings = {"unet_tiny", "unet_repeat"})
  void forwardMatchesEveryGoldenTensor(String golden) {
    Path dir = StageCGoldens.dir(golden);
    StageCGoldens.Report report = new StageCGoldens.Report();
    try (SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"));
        StableCascadeUNet model = StageCGoldens.load(BE, dir, "diffusion_pytorch_model.safetensors", n -> false,
            LinearBuilder.PLAIN)) {
      StableCascadeUNet.Inputs in = StageCGoldens.inputs(BE, io, false);
      Map<String, float[]> got = probe(model, in, new HashMap<>());
      StageCGoldens.close(in);
      for (String name : List.of("out", "r_embed", "clip_cond", "embedding_out")) {
        report.check(name, io.floats(name), got.get(name), StageCGoldens.FORWARD_TOL);
      }
      int blocks = 0;
      for (String name : new TreeMap<>(toMap(io.names())).keySet()) {
        if (!name.startsWith("block_out/")) continue;
        blocks++;
        if (!got.containsKey(name)) report.fail(name + ": the model has no such block");
        else report.check(name, io.floats(name), got.get(name), StageCGoldens.FORWARD_TOL);
      }
      long ours = got.keySet().stream().filter(n -> n.startsWith("block_out/")).count();
      assertEquals(blocks, ours, "number of blocks");
      StableCascadeUNet.Inputs sc = StageCGoldens.inputs(BE, io, true);
      Map<String, float[]> withConds = probe(model, sc, new HashMap<>());
      StageCGoldens.close(sc);
      report.check("out_sca_crp", io.floats("out_sca_crp"), withConds.get("out"), StageCGoldens.FORWARD_TOL);
      report.check("r_embed_sca_crp", io.floats("r_embed_sca_crp"), withConds.get("r_embed"),
          StageCGoldens.FORWARD_TOL);
    }
    report.assertOk(golden + " forward");
  }

  private static Map<String, Boolean> toMap(java.util.Set<String> names) {
    Map<String, Boolean> m = new HashMap<>();
    for (String n : names) m.put(n, true);
    return m;
  }

  /** loss = mean((out − grad_target)²) and its gradient with respect to every parameter. */
  static Map<String, float[]> gradients(StableCascadeUNet model, SafeTensors io, boolean checkpointing,
      float[] lossOut) {
    return gradients(model, io, new StableCascadeUNet.Mode(false, 0, checkpointing, StableCascadeUNet.Probe.NONE),
        lossOut);
  }

  static Map<String, float[]> gradients(StableCascadeUNet model, SafeTensors io, StableCascadeUNet.Mode mode,
      float[] lossOut) {
    StableCascadeUNet.Inputs in = StageCGoldens.inputs(BE, io, false);
    Map<String, float[]> grads = new TreeMap<>();
    model.parameters().zeroGrads();
    try (Tape tape = Tape.recording(); Tensor target = StageCGoldens.tensor(BE, io, "grad_target");
        Tensor out = model.forward(in, tape, mode);
        MeanSquaredError mse = MeanSquaredError.of(out, target)) {
      lossOut[0] = mse.loss();
      model.backward(mse.gradient(), tape);
      assertEquals(0, tape.size(), "backward pops everything forward recorded");
    } finally {
      StageCGoldens.close(in);
    }
    for (Parameter p : model.parameters().trainable()) grads.put(p.name(), p.grad().toFloats());
    return grads;
  }

  @ParameterizedTest
  @ValueSource(strings = {"unet_tiny", "unet_repeat"})
  void gradientOfEveryParameterMatches(String golden) {
    Path dir = StageCGoldens.dir(golden);
    StageCGoldens.Report report = new StageCGoldens.Report();
    try (SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"));
        SafeTensors ref = SafeTensors.open(dir.resolve("grads.safetensors"));
        StableCascadeUNet model = StageCGoldens.load(BE, dir, "diffusion_pytorch_model.safetensors", n -> true,
            LinearBuilder.PLAIN)) {
      float[] loss = new float[1];
      Map<String, float[]> grads = gradients(model, io, false, loss);
      report.check("grad_loss", io.floats("grad_loss"), loss, StageCGoldens.FORWARD_TOL);
      double floor = StageCGoldens.ZERO_GRADIENT_FLOOR * largest(ref);
      for (String key : new TreeMap<>(toMap(ref.names())).keySet()) {
        String name = key.substring("grad/".length());
        if (!grads.containsKey(name)) report.fail(key + ": no such trainable parameter");
        else report.checkWithFloor(key, ref.floats(key), grads.get(name), StageCGoldens.GRAD_TOL, floor);
      }
      assertEquals(ref.names().size(), grads.size(), "every parameter has a reference gradient");
    }
    report.assertOk(golden + " gradients");
  }

  /** The largest |value| over every tensor of a file. */
  static double largest(SafeTensors file) {
    double m = 0;
    for (String n : file.names()) for (float v : file.floats(n)) m = Math.max(m, Math.abs(v));
    return m;
  }

  @ParameterizedTest
  @ValueSource(strings = {"unet_tiny", "unet_repeat"})
  void gradientCheckpointingGivesTheSameGradients(String golden) {
    Path dir = StageCGoldens.dir(golden);
    try (SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"));
        StableCascadeUNet model = StageCGoldens.load(BE, dir, "diffusion_pytorch_model.safetensors", n -> true,
            LinearBuilder.PLAIN)) {
      float[] l1 = new float[1], l2 = new float[1];
      Map<String, float[]> plain = gradients(model, io, false, l1);
      Map<String, float[]> checkpointed = gradients(model, io, true, l2);
      assertEquals(l1[0], l2[0]);
      for (String name : plain.keySet()) assertArrayEquals(plain.get(name), checkpointed.get(name), 1e-6f, name);
    }
  }

  static float[] out(StableCascadeUNet model, SafeTensors io, StableCascadeUNet.Mode mode) {
    StableCascadeUNet.Inputs in = StageCGoldens.inputs(BE, io, false);
    try (Tensor out = model.forward(in, Tape.NONE, mode)) {
      return out.toFloats();
    } finally {
      StageCGoldens.close(in);
    }
  }

  @org.junit.jupiter.api.Test
  void dropoutActsOnlyInTrainingAndItsMasksFollowTheSeed() {
    Path dir = StageCGoldens.dir("unet_repeat");
    try (SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"));
        StableCascadeUNet model = StageCGoldens.load(BE, dir, "diffusion_pytorch_model.safetensors", n -> true,
            LinearBuilder.PLAIN)) {
      StableCascadeUNet.Mode train1 = new StableCascadeUNet.Mode(true, 1, false, StableCascadeUNet.Probe.NONE);
      StableCascadeUNet.Mode train2 = new StableCascadeUNet.Mode(true, 2, false, StableCascadeUNet.Probe.NONE);
      float[] eval = out(model, io, StableCascadeUNet.Mode.EVAL);
      float[] a = out(model, io, train1);
      assertTrue(Compare.relativeError(eval, a) > 1e-3, "dropout changes the training forward");
      assertArrayEquals(a, out(model, io, train1), "same seed, same masks");
      assertTrue(Compare.relativeError(a, out(model, io, train2)) > 1e-3, "another seed, other masks");
      // a checkpointed block recomputes its forward with the masks of the first pass
      float[] l1 = new float[1], l2 = new float[1];
      Map<String, float[]> plain = gradients(model, io, train1, l1);
      Map<String, float[]> checkpointed = gradients(model, io,
          new StableCascadeUNet.Mode(true, 1, true, StableCascadeUNet.Probe.NONE), l2);
      assertEquals(l1[0], l2[0]);
      for (String name : plain.keySet()) assertArrayEquals(plain.get(name), checkpointed.get(name), 1e-6f, name);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"unet_tiny", "unet_repeat"})
  void originalNamesLoadToTheSameModel(String golden) {
    Path dir = StageCGoldens.dir(golden);
    try (SafeTensors original = SafeTensors.open(dir.resolve("original_stage_c_format.safetensors"))) {
      assertEquals(StageCWeightNames.Naming.ORIGINAL, StageCWeightNames.detect(original));
    }
    try (SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"));
        StableCascadeUNet a = StageCGoldens.load(BE, dir, "diffusion_pytorch_model.safetensors", n -> false,
            LinearBuilder.PLAIN);
        StableCascadeUNet b = StageCGoldens.load(BE, dir, "original_stage_c_format.safetensors", n -> false,
            LinearBuilder.PLAIN)) {
      for (Parameter p : a.parameters().all())
        assertArrayEquals(p.value().toFloats(), b.parameters().get(p.name()).value().toFloats(), p.name());
      StableCascadeUNet.Inputs in = StageCGoldens.inputs(BE, io, true);
      try (Tensor x = a.forward(in, Tape.NONE, StableCascadeUNet.Mode.EVAL);
          Tensor y = b.forward(in, Tape.NONE, StableCascadeUNet.Mode.EVAL)) {
        assertArrayEquals(x.toFloats(), y.toFloats());
      } finally {
        StageCGoldens.close(in);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"unet_tiny", "unet_repeat"})
  void moduleTreeHasExactlyTheCheckpointsTensors(String golden) {
    Path dir = StageCGoldens.dir(golden);
    StableCascadeUNetConfig config = StableCascadeUNetConfig.read(dir.toString(), new org.apache.hadoop.conf.Configuration());
    Map<String, long[]> plan = StableCascadeUNet.parameterShapes(config);
    try (SafeTensors weights = SafeTensors.open(dir.resolve("diffusion_pytorch_model.safetensors"))) {
      assertEquals(new java.util.TreeSet<>(weights.names()), new java.util.TreeSet<>(plan.keySet()));
      long total = 0;
      for (String name : weights.names()) {
        TensorInfo info = weights.info(name);
        assertArrayEquals(info.shape(), plan.get(name), name);
        total += info.numel();
      }
      assertEquals(total, StableCascadeUNet.parameterCount(config));
    }
  }
}
