package org.cascadetuner.common.models.effnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
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
 * The Stage C EfficientNet encoder against torchvision's outputs in goldens/effnet (every tensor of io.safetensors),
 * and the real efficientnet_v2_s module tree against real_effnet_encoder_names.json and the spec's parameter count.
 */
class EffNetEncoderTest {
  static final double TOL = 1e-4;
  static Backend be;
  static Path dir;
  static EffNetEncoder model;
  static SafeTensors io;
  static final Set<String> checked = new HashSet<>();

  @BeforeAll
  static void load() {
    be = Backends.get("cpu");
    dir = SharedFiles.goldens("effnet");
    model = EffNetEncoder.load(dir.toString(), new Configuration(), be);
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

  @Test
  void theStageTableComesFromMetaJson() throws IOException {
    JsonNode meta = new ObjectMapper().readTree(dir.resolve("meta.json").toFile());
    EffNetStageTable table = model.config().table();
    JsonNode rows = meta.get("tiny_stage_table").get("stages");
    assertEquals(rows.size(), table.stages().size());
    for (int i = 0; i < rows.size(); i++) {
      EffNetStageTable.Stage s = table.stages().get(i);
      assertEquals(rows.get(i).get(0).asText(), s.kind().key());
      assertEquals(rows.get(i).get(1).asDouble(), s.expand());
      assertEquals(rows.get(i).get(4).asInt(), s.in());
      assertEquals(rows.get(i).get(6).asInt(), s.layers());
    }
    assertEquals((float) meta.get("bn_eps_backbone").asDouble(), model.config().bnEpsBackbone());
    assertEquals((float) meta.get("bn_eps_mapper").asDouble(), model.config().bnEpsMapper());
  }

  @Test
  void matchesEveryStageOutputAndTheLatentOfBothImageShapes() {
    try (Tensor image = input("image01"); Tensor x = model.normalize(image)) {
      compare("image_normalized", x);
      try (EffNetEncoder.Features f = model.forwardWithFeatures(x)) {
        int stages = 0;
        for (String name : io.names()) if (name.startsWith("stage_out/features_")) stages++;
        assertEquals(stages, f.features().size(), "features outputs");
        for (int i = 0; i < stages; i++) compare("stage_out/features_" + i, f.features().get(i));
        compare("backbone_out", f.backbone());
        compare("latent", f.latent());
      }
      try (Tensor latent = model.encode(image)) {
        compare("latent", latent);
      }
    }
    try (Tensor image = input("image01_rect"); Tensor latent = model.encode(image)) {
      compare("latent_rect", latent);
      assertArrayEquals(model.latentShape(image.size(0), image.size(2), image.size(3)), latent.shape());
    }
    Set<String> all = new HashSet<>(io.names());
    all.removeAll(checked);
    assertEquals(Set.of(), all, "io.safetensors tensors no test compared");
  }

  @Test
  void readsEveryCheckpointTensorAndFoldsEachBatchNorm() {
    try (SafeTensors w = SafeTensors.open(dir.resolve(EffNetEncoderConfig.WEIGHTS))) {
      assertEquals(w.names(), model.checkpointShapes().keySet());
      for (String n : w.names()) assertArrayEquals(w.info(n).shape(), model.checkpointShapes().get(n), n);
    }
    assertTrue(model.parameters().trainable().isEmpty(), "the encoder is frozen");
    // folded: conv weights and a bias per conv; no BatchNorm tensor survives
    assertTrue(model.parameters().all().stream().noneMatch(p -> EffNetEncoder.isBuffer(p.name())));
  }

  @Test
  void batchRowsAreIndependent() {
    try (Tensor image = input("image01"); Tensor all = model.encode(image); Tensor first = be.slice(image, 0, 0, 1);
        Tensor one = model.encode(first); Tensor ref = be.slice(all, 0, 0, 1)) {
      Compare.assertClose("row 0 alone vs in the batch", be.contiguous(ref).toFloats(), one, 1e-6);
    }
  }

  @Test
  void theRealEncoderHasExactlyTheNamesShapesAndCountsOfEfficientNetV2S() throws IOException {
    Map<String, long[]> real = realNames();
    try (EffNetEncoder enc = new EffNetEncoder(EffNetEncoderConfig.stageC(), new SyntheticWeights(real, 1), be,
        "real_effnet_encoder_names.json")) {
      assertEquals(real.keySet(), enc.checkpointShapes().keySet());
      for (Map.Entry<String, long[]> e : real.entrySet())
        assertArrayEquals(e.getValue(), enc.checkpointShapes().get(e.getKey()), e.getKey());
      long params = 0, buffers = 0;
      for (Map.Entry<String, long[]> e : real.entrySet()) {
        long n = Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
        if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("running_var")) buffers += n;
        else if (!e.getKey().endsWith("num_batches_tracked")) params += n;
      }
      assertEquals(params, enc.parameterCount());
      assertEquals(buffers, enc.floatBufferCount());
      long[] spec = specCounts();
      assertEquals(spec[0] + spec[1], spec[2], "spec arithmetic");
      assertEquals(spec[2], enc.parameterCount(), "spec: backbone + mapper parameters");
      assertEquals(spec[3], enc.floatBufferCount(), "spec: float buffers");
      assertEquals(spec[4], enc.checkpointShapes().size(), "spec: tensors incl. num_batches_tracked");
      long c = real.get("mapper.0.weight")[0];
      assertEquals(c, enc.latentChannels());
      // spec §3.1: total down-sampling 32, a 768×768 image gives a 24×24 latent
      assertEquals(32, enc.config().table().downsampling());
      assertArrayEquals(new long[] {1, c, 24, 24}, enc.latentShape(1, 768, 768));
    }
  }

  @Test
  void aCheckpointThatDoesNotFitTheTableIsRejectedByName() {
    try (SafeTensors w = SafeTensors.open(dir.resolve(EffNetEncoderConfig.WEIGHTS))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new EffNetEncoder(EffNetEncoderConfig.stageC(), w, be, "tiny weights"));
      assertTrue(e.getMessage().contains("tiny weights") && e.getMessage().contains("backbone.0.0.weight"),
          e.getMessage());
    }
  }

  @Test
  void makeDivisibleFollowsTorchvision() {
    // torchvision _make_divisible(v, 8): nearest multiple of 8, at least 8, not more than 10% below v
    assertEquals(8, EffNetStageTable.makeDivisible(3));
    assertEquals(16, EffNetStageTable.makeDivisible(12));
    assertEquals(96, EffNetStageTable.makeDivisible(99));
    assertEquals(104, EffNetStageTable.makeDivisible(100));
    assertEquals(768, EffNetStageTable.makeDivisible(128 * 6));
  }

  static Map<String, long[]> realNames() throws IOException {
    JsonNode root = new ObjectMapper().readTree(SharedFiles.goldens("effnet/real_effnet_encoder_names.json").toFile());
    Map<String, long[]> out = new LinkedHashMap<>();
    root.fields().forEachRemaining(e -> {
      long[] s = new long[e.getValue().size()];
      for (int i = 0; i < s.length; i++) s[i] = e.getValue().get(i).asLong();
      out.put(e.getKey(), s);
    });
    return out;
  }

  /** backbone, mapper, total parameters, float buffers and tensor count as spec/stage-c-architecture.md §3.1 states. */
  static long[] specCounts() throws IOException {
    String spec = Files.readString(SharedFiles.spec("stage-c-architecture.md"));
    Matcher m = Pattern.compile("Parameters: backbone ([\\d,]+) \\+ mapper ([\\d,]+) = ([\\d,]+) \\(\\+([\\d,]+) float "
        + "buffers\\); (\\d+) tensors").matcher(spec);
    assertTrue(m.find(), "the spec's parameter line");
    long[] out = new long[5];
    for (int i = 0; i < 5; i++) out[i] = Long.parseLong(m.group(i + 1).replace(",", ""));
    return out;
  }
}
