package org.cascadetuner.common.models.stagea;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.models.ModelRunner;
import org.cascadetuner.common.models.ModelRunners;
import org.cascadetuner.common.models.testing.SyntheticWeights;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stage A (diffusers PaellaVQModel) against goldens/decoder/stage_a: every tensor of io.safetensors (encode and decode
 * of every block, both image shapes, vector quantisation, the pipeline's clamp and uint8 images), the original-format
 * weights, the forward runner, and the real vqgan's names, shapes and parameter count.
 */
class StageATest {
  static final double TOL = 1e-4; // relative: max|diff| / max|ref|
  static final double IMAGE_TOL = 1e-3; // absolute, images after the clamp
  static Backend be;
  static Path dir;
  static StageA model;
  static SafeTensors io;
  static final Set<String> checked = new HashSet<>();

  @BeforeAll
  static void load() {
    be = Backends.get("cpu");
    dir = SharedFiles.goldens("decoder/stage_a");
    model = StageA.load(dir.toString(), new Configuration(), be);
    io = SafeTensors.open(dir.resolve("io.safetensors"));
  }

  @AfterAll
  static void close() {
    model.close();
    io.close();
  }

  static Tensor input(String name) {
    checked.add(name);
    return be.fromFloats(io.floats(name), io.info(name).shape());
  }

  static void compare(String name, Tensor actual) {
    checked.add(name);
    assertArrayEquals(io.info(name).shape(), actual.shape(), name + " shape");
    Compare.assertClose(name, io.floats(name), actual, TOL);
  }

  static void compareImage(String name, Tensor actual) {
    checked.add(name);
    assertArrayEquals(io.info(name).shape(), actual.shape(), name + " shape");
    float[] ref = io.floats(name), got = actual.toFloats();
    double worst = 0;
    for (int i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - got[i]));
    assertTrue(worst <= IMAGE_TOL, name + ": max abs difference " + worst + " > " + IMAGE_TOL);
  }

  /** Collects every module output the model reports, keyed as the golden's hooks are ({@code encode/<m>/call0}). */
  static final class Hooks implements StageA.Probe, AutoCloseable {
    final String prefix;
    final Map<String, Tensor> out = new HashMap<>();

    Hooks(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public void accept(String module, Tensor output) {
      Tensor old = out.put(prefix + "/" + module + "/call0", output.retain());
      if (old != null) old.close();
    }

    void compareAll() {
      int golden = 0;
      for (String n : io.names()) if (n.startsWith(prefix + "/")) golden++;
      assertEquals(golden, out.size(), prefix + " hooks: " + out.keySet());
      out.forEach(StageATest::compare);
    }

    @Override
    public void close() {
      out.values().forEach(Tensor::close);
    }
  }

  @Test
  void encodeMatchesEveryBlockAndTheLatentsOfBothShapes() {
    try (Hooks hooks = new Hooks("encode"); Tensor image = input("image01"); Tensor latents = model.encode(image, hooks)) {
      hooks.compareAll();
      compare("latents", latents);
      try (Tensor stageB = be.mul(latents, 1f / model.config().scaleFactor())) {
        compare("stage_b_latents", stageB);
      }
    }
    try (Tensor image = input("image01_rect"); Tensor latents = model.encode(image)) {
      compare("latents_rect", latents);
    }
  }

  @Test
  void decodeMatchesEveryBlockAndTheImagesOfBothShapes() {
    try (Hooks hooks = new Hooks("decode"); Tensor latents = input("latents");
        Tensor decoded = model.decode(latents, hooks); Tensor each = model.decodeEach(latents)) {
      hooks.compareAll();
      compare("decoded", decoded);
      Compare.assertClose("decodeEach == decode", decoded.toFloats(), each, 1e-6);
    }
    try (Tensor latents = input("latents_rect"); Tensor decoded = model.decode(latents)) {
      compare("decoded_rect", decoded);
    }
  }

  @Test
  void vectorQuantisationFindsTheGoldenCodes() {
    try (Tensor latents = input("latents"); StageA.Quantized q = model.quantize(latents)) {
      checked.add("vq_indices");
      assertArrayEquals(io.info("vq_indices").shape(), q.indexShape());
      assertArrayEquals(io.longs("vq_indices"), q.indices(), "nearest codebook vectors");
      compare("vq_z_q", q.zq());
      checked.add("vq_loss");
      float loss = io.floats("vq_loss")[0];
      assertEquals(loss, q.loss(), TOL * Math.abs(loss), "vq_loss");
      try (Tensor decoded = model.decode(q.zq())) {
        compare("decoded_quantized", decoded);
      }
    }
  }

  @Test
  void thePipelineDecodesScaledStageBLatentsAndClamps() {
    try (Tensor stageB = input("stage_b_latents"); Tensor image = model.pipelineImages(stageB);
        Tensor same = model.pipelineImages(stageB, model.config().scaleFactor());
        Tensor other = model.pipelineImages(stageB, 0.43f)) {
      compareImage("pipeline_image", image);
      Compare.assertClose("explicit config scale", image.toFloats(), same, 0);
      assertTrue(Compare.relativeError(image.toFloats(), other.toFloats()) > 1e-3, "the scale changes the image");
    }
    try (Tensor stageB = input("stage_b_like_latents"); Tensor scaled = be.mul(stageB, model.config().scaleFactor());
        Tensor raw = model.decode(scaled); Tensor image = model.pipelineImages(stageB)) {
      compare("stage_b_like_decoded_raw", raw);
      compareImage("stage_b_like_decoded", image);
      checked.add("stage_b_like_uint8");
      assertArrayEquals(io.info("stage_b_like_uint8").shape(), new long[] {image.size(0), image.size(2),
          image.size(3), image.size(1)}, "uint8 images are NHWC");
      byte[] got = StageA.toUint8Nhwc(image);
      float[] ref = io.floats("stage_b_like_uint8"); // U8 widened
      float[] exact = io.floats("stage_b_like_decoded");
      assertEquals(ref.length, got.length);
      int differ = 0;
      for (int i = 0; i < ref.length; i++) {
        int g = got[i] & 0xff, r = (int) ref[i];
        if (g != r) {
          differ++;
          // only where 255·x sits on a rounding boundary within the float tolerance of the decode
          assertTrue(Math.abs(g - r) == 1, "uint8 at " + i + ": " + g + " vs " + r);
        }
      }
      assertTrue(differ <= ref.length / 1000 + 1, differ + " of " + ref.length + " uint8 values differ by one ("
          + exact.length + " floats)");
    }
  }

  @Test
  void everyGoldenTensorWasCompared() {
    encodeMatchesEveryBlockAndTheLatentsOfBothShapes();
    decodeMatchesEveryBlockAndTheImagesOfBothShapes();
    vectorQuantisationFindsTheGoldenCodes();
    thePipelineDecodesScaledStageBLatentsAndClamps();
    Set<String> all = new HashSet<>(io.names());
    all.removeAll(checked);
    assertEquals(Set.of(), all, "io.safetensors tensors no test compared");
  }

  @Test
  void originalFormatWeightsGiveTheSameDecode() {
    try (SafeTensors original = SafeTensors.open(dir.resolve("original_stage_a_format.safetensors"));
        StageA orig = new StageA(model.config(), original, be, "original_stage_a_format.safetensors");
        Tensor latents = input("latents"); Tensor a = model.decode(latents); Tensor b = orig.decode(latents);
        StageA.Quantized qa = model.quantize(latents); StageA.Quantized qb = orig.quantize(latents)) {
      Compare.assertClose("decode", a.toFloats(), b, 0);
      assertArrayEquals(qa.indices(), qb.indices(), "codebook read under its original name");
    }
  }

  @Test
  void everyCheckpointTensorIsReadAndAMismatchIsNamed() {
    try (SafeTensors w = SafeTensors.open(dir.resolve("diffusion_pytorch_model.safetensors"))) {
      assertEquals(w.names(), model.checkpointShapes().keySet());
      StageAConfig deeper = new StageAConfig(3, 3, 2, 2, model.config().bottleneckBlocks() + 1,
          model.config().embedDim(), 4, model.config().numVqEmbeddings(), 0.3764f, "a deeper config");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new StageA(deeper, w, be, "golden weights"));
      assertTrue(e.getMessage().contains("golden weights") && e.getMessage().contains("up_blocks."), e.getMessage());
    }
  }

  @Test
  void theRealVqganHasExactlyItsNamesShapesAndParameterCount() throws IOException {
    JsonNode root = new ObjectMapper().readTree(dir.resolve("real_vqgan_names.json").toFile());
    StageAConfig config = StageAConfig.parse(root.get("config"), "real_vqgan_names.json config");
    Map<String, long[]> names = new LinkedHashMap<>();
    root.get("names").fields().forEachRemaining(e -> {
      long[] s = new long[e.getValue().size()];
      for (int i = 0; i < s.length; i++) s[i] = e.getValue().get(i).asLong();
      names.put(e.getKey(), s);
    });
    try (StageA real = new StageA(config, new SyntheticWeights(names, 3), be, "real_vqgan_names.json")) {
      assertEquals(names.keySet(), real.checkpointShapes().keySet());
      for (Map.Entry<String, long[]> e : names.entrySet())
        assertArrayEquals(e.getValue(), real.checkpointShapes().get(e.getKey()), e.getKey());
      assertEquals(root.get("n_params").asLong(), real.parameterCount());
    }
  }

  @Test
  void theForwardRunnerDecodesLatents() {
    ModelRunner runner = ModelRunners.get("stage-a");
    List<ModelRunner.Output> out = runner.run(dir.toString(), io, null, be, new Configuration());
    assertEquals(1, out.size());
    assertEquals("decoded", out.get(0).name());
    assertArrayEquals(io.info("decoded").shape(), out.get(0).shape());
    Compare.assertClose("decoded", io.floats("decoded"), out.get(0).data(), TOL);
  }

  @Test
  void aPipelineFolderWithVqganIsAccepted() {
    Path pipeline = SharedFiles.goldens("decoder/decoder_loop");
    try (StageA fromPipeline = StageA.load(pipeline.toString(), new Configuration(), be)) {
      assertTrue(fromPipeline.config().source().endsWith("vqgan/config.json"), fromPipeline.config().source());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StageA.load(SharedFiles.goldens("effnet").toString(), new Configuration(), be));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
  }
}
