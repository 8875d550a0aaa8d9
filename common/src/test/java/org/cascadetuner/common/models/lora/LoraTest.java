package org.cascadetuner.common.models.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.models.stagec.LinearBuilder;
import org.cascadetuner.common.models.stagec.MeanSquaredError;
import org.cascadetuner.common.models.stagec.StableCascadeUNet;
import org.cascadetuner.common.models.stagec.StableCascadeUNetConfig;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA on the tiny Stage C UNet against peft (goldens/lora): the adapter's forward, the gradients of every LoRA
 * parameter (base frozen), the merged weights; PEFT and kohya round trips; fresh adapters start as the base model.
 * The adapter was injected into unet_tiny, whose config.json describes lora/base.safetensors.
 */
class LoraTest {
  static final Backend BE = Backends.get("cpu");
  static final Configuration CONF = new Configuration();
  static final double FORWARD_TOL = 1e-4;
  static final double GRAD_TOL = 1e-3;

  static Path lora() {
    return SharedFiles.goldens("lora");
  }

  static StableCascadeUNetConfig config() {
    return StableCascadeUNetConfig.read(SharedFiles.goldens("unet_tiny").toString(), CONF);
  }

  /** The tiny UNet from a weights file, with adapters from {@code adapters} (built with the store). */
  static StableCascadeUNet model(Path weights, java.util.function.Function<ParameterStore, LoraLinears> adapters,
      LoraLinears[] out) {
    try (SafeTensors w = SafeTensors.open(weights)) {
      ParameterStore store = new ParameterStore(BE, w, LoraLinears.TRAINABLE, weights.toString());
      LoraLinears l = adapters.apply(store);
      out[0] = l;
      StableCascadeUNet m = new StableCascadeUNet(config(), store, l);
      assertEquals(List.of(), store.unused());
      return m;
    }
  }

  static StableCascadeUNet fromGoldenAdapter(LoraLinears[] out) {
    try (LoraAdapterFile file = LoraAdapterFile.open(lora().toString(), CONF)) {
      StableCascadeUNet m = model(lora().resolve("base.safetensors"), s -> LoraLinears.from(file, s), out);
      out[0].checkEveryAdapterWasUsed();
      return m;
    }
  }

  static Tensor t(TensorSource io, String name) {
    return BE.fromFloats(io.floats(name), io.info(name).shape());
  }

  static StableCascadeUNet.Inputs inputs(TensorSource io) {
    return new StableCascadeUNet.Inputs(t(io, "sample"), t(io, "timestep_ratio"), t(io, "clip_text_pooled"),
        t(io, "clip_text"), t(io, "clip_img"), null, null);
  }

  static float[] forward(StableCascadeUNet m, TensorSource io) {
    StableCascadeUNet.Inputs in = inputs(io);
    try (Tensor out = m.forward(in, Tape.NONE, StableCascadeUNet.Mode.EVAL)) {
      return out.toFloats();
    }
  }

  @Test
  void adapterForwardAndEveryLoraGradientMatchPeft() {
    LoraLinears[] l = new LoraLinears[1];
    try (StableCascadeUNet m = fromGoldenAdapter(l); SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"));
        SafeTensors ref = SafeTensors.open(lora().resolve("grads.safetensors"))) {
      assertEquals(ref.names().size(), 2 * l[0].adapted().size(), "adapted modules");
      Compare.assertClose("out", io.floats("out"), forward(m, io), FORWARD_TOL);
      // frozen base: only the adapters have gradient buffers
      for (Parameter p : m.parameters().all())
        assertEquals(LoraLinears.TRAINABLE.test(p.name()), p.trainable(), p.name());
      StableCascadeUNet.Inputs in = inputs(io);
      List<String> failures = new java.util.ArrayList<>();
      try (Tape tape = Tape.recording(); Tensor target = t(io, "grad_target");
          Tensor out = m.forward(in, tape, StableCascadeUNet.Mode.EVAL); MeanSquaredError mse = MeanSquaredError.of(out, target)) {
        Compare.assertClose("grad_loss", io.floats("grad_loss"), new float[] {mse.loss()}, FORWARD_TOL);
        m.backward(mse.gradient(), tape);
      }
      Map<String, Parameter> trainable = new TreeMap<>();
      for (Parameter p : m.parameters().trainable()) trainable.put(p.name(), p);
      assertEquals(new TreeSet<>(ref.names()), new TreeSet<>(trainable.keySet().stream().map(n -> "grad/" + n).toList()));
      for (String key : new TreeSet<>(ref.names())) {
        double e = Compare.relativeError(ref.floats(key), trainable.get(key.substring(5)).grad().toFloats());
        if (!(e <= GRAD_TOL)) failures.add(key + ": relative error " + e);
      }
      assertTrue(failures.isEmpty(), "LoRA gradients differ:\n  " + String.join("\n  ", failures));
    }
  }

  @Test
  void mergedWeightsMatchPeftAndReproduceTheAdapterForward(@TempDir Path tmp) {
    LoraLinears[] l = new LoraLinears[1];
    Path merged = tmp.resolve("merged.safetensors");
    float[] adapterOut;
    try (StableCascadeUNet m = fromGoldenAdapter(l); SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"))) {
      adapterOut = forward(m, io);
      LoraExport.writeMerged(merged.toString(), m.parameters(), l[0], CONF);
    }
    List<String> failures = new java.util.ArrayList<>();
    try (SafeTensors ours = SafeTensors.open(merged); SafeTensors ref = SafeTensors.open(lora().resolve("merged.safetensors"))) {
      assertEquals(new TreeSet<>(ref.names()), new TreeSet<>(ours.names()));
      for (String n : new TreeSet<>(ref.names())) {
        assertArrayEquals(ref.info(n).shape(), ours.info(n).shape(), n);
        double e = Compare.relativeError(ref.floats(n), ours.floats(n));
        if (!(e <= 1e-6)) failures.add(n + ": relative error " + e);
      }
    }
    assertTrue(failures.isEmpty(), "merged weights differ:\n  " + String.join("\n  ", failures));
    try (SafeTensors w = SafeTensors.open(merged); SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"));
        StableCascadeUNet plain = new StableCascadeUNet(config(), ParameterStore.frozen(BE, w, "merged"), LinearBuilder.PLAIN)) {
      Compare.assertClose("merged forward", adapterOut, forward(plain, io), FORWARD_TOL);
    }
  }

  @Test
  void peftAndKohyaExportsReloadToTheSameAdapter(@TempDir Path tmp) throws Exception {
    LoraLinears[] l = new LoraLinears[1];
    float[] ref;
    try (StableCascadeUNet m = fromGoldenAdapter(l); SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"))) {
      ref = forward(m, io);
      LoraExport.writePeft(tmp.toString(), l[0], "stabilityai/stable-cascade-prior", CONF);
      LoraExport.writeKohya(tmp.resolve("kohya.safetensors").toString(), l[0], CONF);
    }
    // PEFT: the golden's keys and values, and a config PEFT reads back (r, lora_alpha, targets)
    try (SafeTensors ours = SafeTensors.open(tmp.resolve(LoraAdapterFile.WEIGHTS));
        SafeTensors golden = SafeTensors.open(lora().resolve("adapter_model.safetensors"))) {
      assertEquals(new TreeSet<>(golden.names()), new TreeSet<>(ours.names()));
      for (String n : golden.names()) assertArrayEquals(golden.floats(n), ours.floats(n), n);
    }
    LoraConfig goldenConfig = LoraConfig.read(lora().resolve(LoraAdapterFile.CONFIG).toString(), CONF);
    LoraConfig written = LoraConfig.read(tmp.resolve(LoraAdapterFile.CONFIG).toString(), CONF);
    assertEquals(goldenConfig.rank(), written.rank());
    assertEquals(goldenConfig.scale(), written.scale(), 1e-12);
    assertEquals(new TreeSet<>(goldenConfig.targetModules()), new TreeSet<>(written.targetModules()));
    // kohya: ComfyUI's names, alpha per module
    try (SafeTensors k = SafeTensors.open(tmp.resolve("kohya.safetensors"))) {
      assertTrue(k.contains("lora_prior_unet_down_blocks_0_2_attention_attn_to_q.lora_down.weight"), k.names().toString());
      assertTrue(k.contains("lora_prior_unet_up_blocks_1_2_attention_attn_out_proj.lora_up.weight"), k.names().toString());
      assertEquals((float) goldenConfig.alpha(), k.floats("lora_prior_unet_down_blocks_0_2_attention_attn_to_k.alpha")[0]);
      assertEquals(3 * l[0].adapted().size(), k.names().size(), "down, up and alpha per module");
    }
    for (String path : List.of(tmp.toString(), tmp.resolve("kohya.safetensors").toString())) {
      LoraLinears[] l2 = new LoraLinears[1];
      try (LoraAdapterFile file = LoraAdapterFile.open(path, CONF);
          StableCascadeUNet m = model(lora().resolve("base.safetensors"), s -> LoraLinears.from(file, s), l2);
          SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"))) {
        l2[0].checkEveryAdapterWasUsed();
        assertEquals(32, 2 * l2[0].adapted().size(), path);
        assertArrayEquals(ref, forward(m, io), path);
      }
    }
  }

  @Test
  void freshAdaptersStartAsTheBaseModelAndTrainOnlyThemselves() {
    LoraConfig config = LoraConfig.of(2, 4, List.of("to_q", "to_k", "to_v", "to_out.0", "kv_mapper.1", "channelwise.0",
        "channelwise.4"));
    LoraLinears[] l = new LoraLinears[1];
    Path base = lora().resolve("base.safetensors");
    try (SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"));
        StableCascadeUNet adapted = model(base, s -> LoraLinears.fresh(config, s, 42), l);
        SafeTensors w = SafeTensors.open(base);
        StableCascadeUNet plain = new StableCascadeUNet(config(), ParameterStore.frozen(BE, w, "base"), LinearBuilder.PLAIN)) {
      // 4 attention projections + kv_mapper per AttnBlock, 2 channelwise per ResBlock
      assertEquals(4 * 5 + 4 * 2, l[0].adapted().size());
      for (LoraLinear a : l[0].adapted().values()) {
        float bound = (float) (1 / Math.sqrt(a.a().shape()[1]));
        for (float v : a.a().value().toFloats()) assertTrue(Math.abs(v) <= bound, a.module());
        for (float v : a.b().value().toFloats()) assertEquals(0f, v, a.module());
        assertEquals(2f, a.scale());
      }
      assertArrayEquals(forward(plain, io), forward(adapted, io), "B = 0: the adapted model starts as the base");
      StableCascadeUNet.Inputs in = inputs(io);
      try (Tape tape = Tape.recording(); Tensor target = t(io, "grad_target");
          Tensor out = adapted.forward(in, tape, StableCascadeUNet.Mode.EVAL); MeanSquaredError mse = MeanSquaredError.of(out, target)) {
        adapted.backward(mse.gradient(), tape);
      }
      long trainable = 0;
      for (Parameter p : adapted.parameters().trainable()) {
        trainable += p.value().numel();
        // with B = 0, A gets no gradient but B does
        double norm = BE.sumOfSquares(p.grad());
        if (p.name().endsWith("lora_B.weight")) assertTrue(norm > 0, p.name());
        else assertEquals(0.0, norm, p.name());
      }
      assertEquals(l[0].parameterCount(), trainable);
    }
  }

  @Test
  void peftTargetsMatchWholeNamesOrDottedSuffixes() {
    LoraConfig c = LoraConfig.of(4, 8, LoraConfig.DEFAULT_TARGETS);
    assertTrue(c.targets("down_blocks.0.2.attention.to_q"));
    assertTrue(c.targets("up_blocks.1.2.attention.to_out.0"));
    assertTrue(!c.targets("down_blocks.0.2.kv_mapper.1"));
    assertTrue(!c.targets("down_blocks.0.2.attention.xto_q"));
    LoraConfig regex = new LoraConfig(4, 8, null, ".*attention\\.to_[qk]", false, "test");
    assertTrue(regex.targets("down_blocks.1.2.attention.to_k"));
    assertTrue(!regex.targets("down_blocks.1.2.attention.to_v"));
    assertEquals("to_out.0", LoraExport.target("up_blocks.0.5.attention.to_out.0"));
    assertEquals("channelwise.4", LoraExport.target("down_blocks.1.0.channelwise.4"));
    assertEquals("clip_txt_mapper", LoraExport.target("clip_txt_mapper"));
    assertEquals("lora_prior_unet_down_blocks_1_2_kv_mapper_1", LoraAdapterFile.kohyaStem("down_blocks.1.2.kv_mapper.1"));
  }

  @Test
  void adaptersForAnotherModelAreRefused(@TempDir Path tmp) throws Exception {
    java.nio.file.Files.copy(lora().resolve(LoraAdapterFile.CONFIG), tmp.resolve(LoraAdapterFile.CONFIG));
    new org.cascadetuner.common.io.SafeTensorsWriter().add("down_blocks.9.2.attention.to_q.lora_A.weight", new float[4 * 32], 4, 32)
        .add("down_blocks.9.2.attention.to_q.lora_B.weight", new float[4 * 32], 32, 4)
        .write(tmp.resolve(LoraAdapterFile.WEIGHTS).toString(), CONF);
    LoraLinears[] l = new LoraLinears[1];
    try (LoraAdapterFile file = LoraAdapterFile.open(tmp.toString(), CONF)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model(lora().resolve("base.safetensors"), s -> LoraLinears.from(file, s), l).close());
      assertTrue(e.getMessage().contains("has no weights for it"), e.getMessage());
    }
  }
}
