package org.cascadetuner.common.models.stagec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.DType;
import org.cascadetuner.common.io.HalfFloats;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.io.SafeTensorsWriter;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.testing.Compare;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Config parsing (diffusers and original names), errors users can act on, model folders, bf16 weights. */
class StableCascadeUNetConfigTest {
  static final Configuration CONF = new Configuration();
  static final ObjectMapper JSON = new ObjectMapper();
  static final Backend BE = Backends.get("cpu");

  static StableCascadeUNetConfig withoutSource(StableCascadeUNetConfig c) {
    return new StableCascadeUNetConfig(c.inChannels(), c.outChannels(), c.timestepRatioEmbeddingDim(), c.patchSize(),
        c.conditioningDim(), c.blockOutChannels(), c.numAttentionHeads(), c.downNumLayersPerBlock(),
        c.upNumLayersPerBlock(), c.downBlocksRepeatMappers(), c.upBlocksRepeatMappers(), c.blockTypesPerLayer(),
        c.clipTextInChannels(), c.clipTextPooledInChannels(), c.clipImageInChannels(), c.clipSeq(), c.kernelSize(),
        c.dropout(), c.selfAttn(), c.timestepConditioningType(), c.switchLevel(), "");
  }

  @ParameterizedTest
  @ValueSource(strings = {"unet_tiny", "unet_repeat"})
  void originalKwargsDescribeTheSameModel(String golden) {
    Path dir = StageCGoldens.dir(golden);
    StableCascadeUNetConfig diffusers = StableCascadeUNetConfig.read(dir.toString(), CONF);
    StableCascadeUNetConfig original = StableCascadeUNetConfig.read(dir.resolve("original_stage_c_kwargs.json").toString(), CONF);
    assertEquals(withoutSource(diffusers), withoutSource(original));
  }

  @Test
  void upPathListsRunDeepestFirst() {
    StableCascadeUNetConfig c = StableCascadeUNetConfig.read(StageCGoldens.dir("unet_repeat").toString(), CONF);
    // up_num_layers_per_block [2, 1]: the deepest level (1) has 2 layers
    assertEquals(c.upNumLayersPerBlock().get(0), c.upLayers(c.levels() - 1));
    assertEquals(c.upNumLayersPerBlock().get(c.levels() - 1), c.upLayers(0));
  }

  @Test
  void rEmbeddingMatchesTheGolden() {
    StableCascadeUNetConfig config = StableCascadeUNetConfig.read(StageCGoldens.dir("unet_tiny").toString(), CONF);
    try (SafeTensors g = SafeTensors.open(StageCGoldens.dir("unet_tiny").resolve("r_embedding.safetensors"));
        StableCascadeUNet model = StageCGoldens.load(BE, StageCGoldens.dir("unet_tiny"),
            "diffusion_pytorch_model.safetensors", n -> false, LinearBuilder.PLAIN);
        Tensor r = BE.fromFloats(g.floats("r"), g.info("r").shape()); Tensor all = model.timestepEmbedding(r, null, null);
        Tensor e = BE.slice(all, 1, 0, config.timestepRatioEmbeddingDim())) {
      assertArrayEquals(g.info("emb").shape(), e.shape());
      Compare.assertClose("E(r)", g.floats("emb"), e, 1e-5);
    }
  }

  static ObjectNode tinyJson() throws Exception {
    return (ObjectNode) JSON.readTree(StageCGoldens.dir("unet_tiny").resolve("config.json").toFile());
  }

  static String error(ObjectNode json) {
    return assertThrows(IllegalArgumentException.class, () -> StableCascadeUNetConfig.parse(json, "config.json"))
        .getMessage();
  }

  @Test
  void errorsNameTheKeyAndWhatIsAllowed() throws Exception {
    ObjectNode j = tinyJson();
    j.putArray("num_attention_heads").add(2);
    assertTrue(error(j).contains("num_attention_heads has 1 entries but block_out_channels has 2"), error(j));
    j = tinyJson();
    ((com.fasterxml.jackson.databind.node.ArrayNode) j.get("block_types_per_layer").get(0)).set(0, "SDCascadeFoo");
    assertTrue(error(j).contains("'SDCascadeFoo'") && error(j).contains("SDCascadeResBlock"), error(j));
    j = tinyJson();
    j.putNull("switch_level");
    assertTrue(error(j).contains("switch_level is null") && error(j).contains("[false]"), error(j));
    j = tinyJson();
    j.putArray("switch_level").add(true);
    assertTrue(error(j).contains("switch_level [true] is not supported"), error(j));
    j = tinyJson();
    j.put("effnet_in_channels", 16);
    assertTrue(error(j).contains("Stage B decoder config"), error(j));
    j = tinyJson();
    j.putArray("num_attention_heads").add(3).add(4);
    assertTrue(error(j).contains("num_attention_heads[0] = 3 does not divide block_out_channels[0] = 32"), error(j));
    j = tinyJson();
    j.put("kernel_size", 4);
    assertTrue(error(j).contains("kernel_size 4 must be odd"), error(j));
  }

  @Test
  void scalarDropoutAndSelfAttnApplyToEveryLevel() throws Exception {
    ObjectNode j = tinyJson();
    j.put("dropout", 0.25);
    j.put("self_attn", false);
    StableCascadeUNetConfig c = StableCascadeUNetConfig.parse(j, "config.json");
    assertEquals(java.util.List.of(0.25, 0.25), c.dropout());
    assertEquals(java.util.List.of(false, false), c.selfAttn());
  }

  /** The tiny model's weights rewritten as bf16 into {@code folder} with its config. */
  static void bf16Folder(Path folder, String file) throws Exception {
    Files.createDirectories(folder);
    Path dir = StageCGoldens.dir("unet_tiny");
    Files.copy(dir.resolve("config.json"), folder.resolve("config.json"));
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors src = SafeTensors.open(dir.resolve("diffusion_pytorch_model.safetensors"))) {
      for (String n : src.names()) w.add(n, src.floats(n), DType.BF16, src.info(n).shape());
    }
    w.write(folder.resolve(file).toString(), CONF);
  }

  @Test
  void repositoryRootAndFlavourFindTheSubfolderAndBf16IsWidened(@TempDir Path repo) throws Exception {
    bf16Folder(repo.resolve("prior_lite"), "diffusion_pytorch_model.bf16.safetensors");
    StageCModelFolder f = StageCModelFolder.resolve(repo.toString(), "stage-c-lite", CONF);
    assertEquals(repo.resolve("prior_lite/diffusion_pytorch_model.bf16.safetensors").toString(), f.weightsUri());
    assertEquals(f, StageCModelFolder.resolve(repo.resolve("prior_lite").toString(), "stage-c", CONF),
        "a model folder is used as is, whatever the flavour");
    String e = assertThrows(IllegalArgumentException.class,
        () -> StageCModelFolder.resolve(repo.toString(), "stage-c", CONF)).getMessage();
    assertTrue(e.contains("prior/config.json"), e);
    e = assertThrows(IllegalArgumentException.class,
        () -> StageCModelFolder.resolve(repo.toString(), "stage-b", CONF)).getMessage();
    assertTrue(e.contains("allowed: [stage-c, stage-c-lite]"), e);
    try (StableCascadeUNet m = StableCascadeUNet.load(f, CONF, BE, n -> false, s -> LinearBuilder.PLAIN);
        SafeTensors ref = SafeTensors.open(StageCGoldens.dir("unet_tiny").resolve("diffusion_pytorch_model.safetensors"))) {
      for (Parameter p : m.parameters().all()) {
        float[] want = ref.floats(p.name());
        for (int i = 0; i < want.length; i++) want[i] = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(want[i]));
        assertArrayEquals(want, p.value().toFloats(), p.name());
      }
    }
  }

  @Test
  void weightsFileBesideItsConfigLoadsInAnyNaming() {
    Path dir = StageCGoldens.dir("unet_tiny");
    StageCModelFolder f = StageCModelFolder.resolve(dir.resolve("original_stage_c_format.safetensors").toString(),
        "stage-c", CONF);
    assertEquals(dir.resolve("config.json").toString(), f.configUri());
    try (StableCascadeUNet m = StableCascadeUNet.load(f, CONF, BE, n -> false, s -> LinearBuilder.PLAIN)) {
      assertEquals(StableCascadeUNet.parameterCount(m.config()), m.parameters().parameterCount());
    }
  }

  @Test
  void weightsOfAnotherConfigAreRefusedByName(@TempDir Path folder) throws Exception {
    Files.createDirectories(folder);
    Files.copy(StageCGoldens.dir("unet_repeat").resolve("config.json"), folder.resolve("config.json"));
    Files.copy(StageCGoldens.dir("unet_tiny").resolve("diffusion_pytorch_model.safetensors"),
        folder.resolve("diffusion_pytorch_model.safetensors"));
    String e = assertThrows(IllegalArgumentException.class, () -> StableCascadeUNet.load(
        StageCModelFolder.resolve(folder.toString(), "stage-c", CONF), CONF, BE, n -> false, s -> LinearBuilder.PLAIN))
        .getMessage();
    assertTrue(e.contains("but the config implies") || e.contains("no tensor"), e);
  }
}
