package org.cascadetuner.common.models.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CLIPTextModelWithProjection against transformers' outputs in goldens/clip_text (every tensor of io.safetensors). */
class ClipTextModelTest {
  static final double TOL = 1e-4;
  static Backend be;
  static ClipTextModel model;
  static SafeTensors io;

  @BeforeAll
  static void load() {
    be = Backends.get("cpu");
    Path dir = SharedFiles.goldens("clip_text");
    model = ClipTextModel.load(dir.toString(), new Configuration(), be);
    io = SafeTensors.open(dir.resolve("io.safetensors"));
  }

  @AfterAll
  static void close() {
    model.close();
    io.close();
  }

  @Test
  void everyWeightIsUsedAndShapesComeFromTheConfig() {
    assertEquals(java.util.List.of(), model.parameters().unused());
    assertTrue(model.parameters().trainable().isEmpty(), "CLIP is frozen");
  }

  @Test
  void withMaskMatchesEveryGoldenTensor() {
    long[] shape = io.info("input_ids").shape();
    int batch = (int) shape[0];
    try (ClipTextModel.Output out = model.forward(io.longs("input_ids"), io.longs("attention_mask"), batch)) {
      long[] hs = io.info("hidden_states_all").shape();
      assertEquals(hs[0], out.hiddenStates().size(), "number of hidden states");
      float[] all = io.floats("hidden_states_all");
      int per = (int) (all.length / hs[0]);
      for (int i = 0; i < hs[0]; i++) {
        float[] ref = java.util.Arrays.copyOfRange(all, i * per, (i + 1) * per);
        Compare.assertClose("hidden_states[" + i + "]", ref, out.hiddenStates().get(i), TOL);
      }
      Compare.assertClose("clip_text", io.floats("clip_text"), out.clipText(), TOL);
      Compare.assertClose("last_hidden_state", io.floats("last_hidden_state"), out.lastHiddenState(), TOL);
      Compare.assertClose("pooler_output", io.floats("pooler_output"), out.pooled(), TOL);
      Compare.assertClose("text_embeds", io.floats("text_embeds"), out.textEmbeds(), TOL);
      try (Tensor pooled = out.clipTextPooled()) {
        assertArrayEquals(io.info("clip_text_pooled").shape(), pooled.shape());
        Compare.assertClose("clip_text_pooled", io.floats("clip_text_pooled"), pooled, TOL);
      }
      long[] eos = io.longs("eos_position");
      for (int b = 0; b < batch; b++) assertEquals(eos[b], out.eosPositions()[b], "eos position of row " + b);
    }
  }

  @Test
  void withoutMaskMatchesTheNoMaskGoldens() {
    int batch = (int) io.info("input_ids").shape()[0];
    try (ClipTextModel.Output out = model.forward(io.longs("input_ids"), null, batch)) {
      Compare.assertClose("clip_text_nomask", io.floats("clip_text_nomask"), out.clipText(), TOL);
      Compare.assertClose("text_embeds_nomask", io.floats("text_embeds_nomask"), out.textEmbeds(), TOL);
    }
  }

  @Test
  void shardedBf16WeightsLoadThroughTheIndex(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path dir = SharedFiles.goldens("clip_text");
    java.nio.file.Files.copy(dir.resolve("config.json"), tmp.resolve("config.json"));
    java.util.List<org.cascadetuner.common.io.ShardedSafeTensors.NamedWriter> tensors = new java.util.ArrayList<>();
    long total = 0;
    try (SafeTensors w = SafeTensors.open(dir.resolve("model.safetensors"))) {
      for (String name : new java.util.TreeSet<>(w.names())) {
        float[] data = w.floats(name);
        long[] shape = w.info(name).shape();
        total += 2L * data.length;
        tensors.add(new org.cascadetuner.common.io.ShardedSafeTensors.NamedWriter(name, 2L * data.length,
            wr -> wr.add(name, data, org.cascadetuner.common.io.DType.BF16, shape)));
      }
    }
    java.util.List<String> files = org.cascadetuner.common.io.ShardedSafeTensors.write(tmp.toString(), "model",
        tensors, total / 3, java.util.Map.of(), new Configuration());
    assertTrue(files.contains("model.safetensors.index.json"), files.toString());
    int batch = (int) io.info("input_ids").shape()[0];
    try (ClipTextModel sharded = ClipTextModel.load(tmp.toString(), new Configuration(), be);
        ClipTextModel.Output out = sharded.forward(io.longs("input_ids"), io.longs("attention_mask"), batch)) {
      assertEquals(java.util.List.of(), sharded.parameters().unused());
      // bf16 weights: same model to about 1e-2 (8 bits of mantissa), loaded through the index and widened
      Compare.assertClose("text_embeds from bf16 shards", io.floats("text_embeds"), out.textEmbeds(), 5e-2);
    }
  }

  @Test
  void quickGeluIsXTimesSigmoidOf1702X() {
    float[] xs = {-3f, -1f, -0.25f, 0f, 0.5f, 2f};
    try (Tensor x = be.fromFloats(xs, xs.length);
        Tensor y = ClipTextModel.activation(be, "quick_gelu", x)) {
      float[] v = y.toFloats();
      for (int i = 0; i < xs.length; i++)
        assertEquals(xs[i] / (1 + Math.exp(-1.702 * xs[i])), v[i], 1e-6, "quick_gelu(" + xs[i] + ")");
    }
  }

  @Test
  void rejectsIdsOutsideTheVocabulary() {
    long[] ids = new long[] {0, model.config().vocabSize()};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(ids, null, 1));
    assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
  }

  @Test
  void refusesUnknownActivations() {
    var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("vocab_size", 10)
        .put("hidden_size", 8).put("num_hidden_layers", 1).put("num_attention_heads", 2).put("intermediate_size", 16)
        .put("max_position_embeddings", 4).put("projection_dim", 8).put("hidden_act", "relu");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClipTextModelConfig.parse(node, "config.json"));
    assertTrue(e.getMessage().contains("hidden_act 'relu'"), e.getMessage());
  }
}
