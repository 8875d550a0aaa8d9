package org.cascadetuner.common.models.stagea;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cascadetuner.common.models.effnet.EffNetRealSizeTest;
import org.cascadetuner.common.models.testing.SyntheticWeights;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The pipeline decode of the real-size Stage A (the hub vqgan config, random weights of the real names and shapes):
 * one image of {@code -Dstagea.size} px (default 512), time and peak RSS printed. Tagged real-size: run with
 * {@code mvn -pl common test -Dtest=StageARealSizeTest -Dtest.excludedGroups=none}.
 */
@Tag("real-size")
class StageARealSizeTest {

  @Test
  void decodesOneImage() throws IOException {
    Backend be = Backends.get("cpu");
    JsonNode root = new ObjectMapper().readTree(SharedFiles.goldens("decoder/stage_a/real_vqgan_names.json").toFile());
    StageAConfig config = StageAConfig.parse(root.get("config"), "real_vqgan_names.json config");
    Map<String, long[]> names = new LinkedHashMap<>();
    root.get("names").fields().forEachRemaining(e -> {
      long[] s = new long[e.getValue().size()];
      for (int i = 0; i < s.length; i++) s[i] = e.getValue().get(i).asLong();
      names.put(e.getKey(), s);
    });
    int size = Integer.getInteger("stagea.size", 512);
    int down = config.upDownScaleFactor() << (config.levels() - 1);
    try (StageA model = new StageA(config, new SyntheticWeights(names, 5), be, "synthetic vqgan")) {
      float[] z = new float[config.latentChannels() * (size / down) * (size / down)];
      java.util.Random r = new java.util.Random(9);
      for (int i = 0; i < z.length; i++) z[i] = (float) r.nextGaussian();
      try (Tensor latents = be.fromFloats(z, 1, config.latentChannels(), size / down, size / down)) {
        long t = System.nanoTime(), cpu0 = EffNetRealSizeTest.processCpuNanos();
        try (Tensor image = model.pipelineImages(latents)) {
          double s = (System.nanoTime() - t) / 1e9, cpu = (EffNetRealSizeTest.processCpuNanos() - cpu0) / 1e9;
          assertArrayEquals(new long[] {1, config.outChannels(), size, size}, image.shape());
          for (float f : image.toFloats()) assertTrue(f >= 0f && f <= 1f, "clamped");
          System.out.printf("stage-a real-size: latent %dx%d -> image %dx%d in %.2f s wall, %.2f s process CPU, peak "
              + "RSS %d MiB, backend %s%n", size / down, size / down, size, size, s, cpu,
              EffNetRealSizeTest.peakRssKiB() / 1024, be);
        }
      }
    }
  }
}
