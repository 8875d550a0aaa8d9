package org.cascadetuner.common.models.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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

  /** The tiny UNet from a weights file, frozen. */
  static StableCascadeUNet model(Path weights) {
    try (SafeTensors w = SafeTensors.open(weights)) {
      ParameterStore store = ParameterStore.frozen(BE, w, weights.toString());
      StableCascadeUNet m = new StableCascadeUNet(config(), store);
      assertEquals(List.of(), store.unused());
      return m;
    }
  }

  static StableCascadeUNet base() {
    return model(lora().resolve("base.safetensors"));
  }

  static LoraAdapters load(StableCascadeUNet m, String path) {
    try (LoraAdapterFile file = LoraAdapterFile.open(path, CONF)) {
      return LoraAdapters.load(file, m.linears());
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
    try (StableCascadeUNet m = base(); LoraAdapters l = load(m, lora().toString());
        SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"));
        SafeTensors ref = SafeTensors.open(lora().resolve("grads.safetensors"))) {
      assertEquals(ref.names().size(), 2 * l.adapted().size(), "adapted modules");
      Compare.assertClose("out", io.floats("out"), forward(m, io), FORWARD_TOL);
      // frozen base: only the adapters have gradient buffers
      assertEquals(List.of(), m.parameters().trainable());
      StableCascadeUNet.Inputs in = inputs(io);
      List<String> failures = new java.util.ArrayList<>();
      try (Tape tape = Tape.recording(); Tensor target = t(io, "grad_target");
          Tensor out = m.forward(in, tape, StableCascadeUNet.Mode.EVAL); MeanSquaredError mse = MeanSquaredError.of(out, target)) {
        Compare.assertClose("grad_loss", io.floats("grad_loss"), new float[] {mse.loss()}, FORWARD_TOL);
        m.backward(mse.gradient(), tape);
      }
      Map<String, Parameter> trainable = new TreeMap<>();
      for (Parameter p : l.parameters().trainable()) trainable.put(p.name(), p);
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
    Path merged = tmp.resolve("diffusion_pytorch_model.safetensors");
    float[] adapterOut;
    try (StableCascadeUNet m = base(); LoraAdapters l = load(m, lora().toString());
        SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"))) {
      adapterOut = forward(m, io);
      assertEquals(List.of(merged.getFileName().toString()),
          LoraExport.writeMerged(tmp.toString(), m.parameters(), l, LoraExport.DEFAULT_SHARD_BYTES, CONF));
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
    try (SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors")); StableCascadeUNet plain = model(merged)) {
      Compare.assertClose("merged forward", adapterOut, forward(plain, io), FORWARD_TOL);
    }
  }

  @Test
  void peftAndKohyaExportsReloadToTheSameAdapter(@TempDir Path tmp) throws Exception {
    float[] ref;
    int adapted;
    try (StableCascadeUNet m = base(); LoraAdapters l = load(m, lora().toString());
        SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"))) {
      ref = forward(m, io);
      adapted = l.adapted().size();
      LoraExport.writePeft(tmp.toString(), l, "stabilityai/stable-cascade-prior", CONF);
      LoraExport.writeKohya(tmp.resolve("kohya.safetensors").toString(), l, CONF);
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
      assertEquals(3 * adapted, k.names().size(), "down, up and alpha per module");
    }
    for (String path : List.of(tmp.toString(), tmp.resolve("kohya.safetensors").toString())) {
      try (StableCascadeUNet m = base(); LoraAdapters l = load(m, path);
          SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors"))) {
        assertEquals(adapted, l.adapted().size(), path);
        assertArrayEquals(ref, forward(m, io), path);
      }
    }
  }

  @Test
  void freshAdaptersStartAsTheBaseModelAndTrainOnlyThemselves() {
    LoraConfig config = LoraConfig.of(2, 4, List.of("to_q", "to_k", "to_v", "to_out.0", "kv_mapper.1", "channelwise.0",
        "channelwise.4"));
    try (SafeTensors io = SafeTensors.open(lora().resolve("io.safetensors")); StableCascadeUNet adapted = base()) {
      float[] plain = forward(adapted, io);
      LoraAdapters l = LoraAdapters.fresh(config, adapted.linears(), 42);
      // 4 attention projections + kv_mapper per AttnBlock, 2 channelwise per ResBlock
      assertEquals(4 * 5 + 4 * 2, l.adapted().size());
      for (LoraAdapter a : l.adapted().values()) {
        float bound = (float) (1 / Math.sqrt(a.a().shape()[1]));
        for (float v : a.a().value().toFloats()) assertTrue(Math.abs(v) <= bound, a.module());
        for (float v : a.b().value().toFloats()) assertEquals(0f, v, a.module());
        assertEquals(2f, a.scale());
      }
      assertArrayEquals(plain, forward(adapted, io), "B = 0: the adapted model starts as the base");
      StableCascadeUNet.Inputs in = inputs(io);
      try (Tape tape = Tape.recording(); Tensor target = t(io, "grad_target");
          Tensor out = adapted.forward(in, tape, StableCascadeUNet.Mode.EVAL); MeanSquaredError mse = MeanSquaredError.of(out, target)) {
        adapted.backward(mse.gradient(), tape);
      }
      long trainable = 0;
      assertEquals(List.of(), adapted.parameters().trainable());
      for (Parameter p : l.parameters().trainable()) {
        trainable += p.value().numel();
        // with B = 0, A gets no gradient but B does
        double norm = BE.sumOfSquares(p.grad());
        if (p.name().endsWith("lora_B.weight")) assertTrue(norm > 0, p.name());
        else assertEquals(0.0, norm, p.name());
      }
      assertEquals(l.parameterCount(), trainable);
      // detached again: the base model
      l.parameters().trainable().stream().filter(p -> p.name().endsWith("lora_B.weight"))
          .forEach(p -> BE.fill(p.value(), 0.5f));
      assertTrue(Compare.relativeError(plain, forward(adapted, io)) > 1e-3, "B = 0.5 changes the output");
      l.close();
      assertArrayEquals(plain, forward(adapted, io), "closed adapters are detached");
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
    try (StableCascadeUNet m = base()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(m, tmp.toString()).close());
      assertTrue(e.getMessage().contains("has no weights for it"), e.getMessage());
      for (var lin : m.linears().values()) assertNull(lin.adapter(), "a failed load leaves nothing attached");
    }
  }
}
