package org.cascadetuner.common.models.effnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.models.ModelRunner;
import org.cascadetuner.common.models.ModelRunners;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;

/** {@code forward --model effnet} on goldens/effnet: image01 → the golden latent. */
class EffNetRunnerTest {

  @Test
  void image01GivesTheGoldenLatent() {
    Path dir = SharedFiles.goldens("effnet");
    ModelRunner runner = ModelRunners.get("effnet");
    try (SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"))) {
      List<ModelRunner.Output> out = runner.run(dir.toString(), io, null, Backends.get("cpu"), new Configuration());
      assertEquals(1, out.size());
      assertEquals("latent", out.get(0).name());
      assertArrayEquals(io.info("latent").shape(), out.get(0).shape());
      Compare.assertClose("latent", io.floats("latent"), out.get(0).data(), 1e-4);
    }
  }

  @Test
  void missingInputsAndFoldersAreNamed() {
    Path dir = SharedFiles.goldens("effnet");
    ModelRunner runner = ModelRunners.get("effnet");
    try (SafeTensors other = SafeTensors.open(SharedFiles.goldens("clip_text/io.safetensors"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> runner.run(dir.toString(), other, null, Backends.get("cpu"), new Configuration()));
      assertTrue(e.getMessage().contains("image01"), e.getMessage());
    }
    try (SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"))) {
      Path clip = SharedFiles.goldens("clip_text");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> runner.run(clip.toString(), io, null, Backends.get("cpu"), new Configuration()));
      assertTrue(e.getMessage().contains(EffNetEncoderConfig.WEIGHTS), e.getMessage());
    }
  }
}
