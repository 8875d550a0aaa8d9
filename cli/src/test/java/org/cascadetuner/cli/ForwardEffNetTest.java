package org.cascadetuner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code forward --model effnet} on goldens/effnet: the written latent equals torchvision's. */
class ForwardEffNetTest {
  @TempDir Path tmp;

  @Test
  void effnetWritesTheGoldenLatent() {
    Path dir = SharedFiles.goldens("effnet");
    Path outFile = tmp.resolve("out.safetensors");
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = ForwardCommandTest.run(out, err, "forward", "--model", "effnet", "--weights", dir.toString(),
        "--inputs", dir.resolve("io.safetensors").toString(), "--out", outFile.toString());
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("latent"), out.toString());
    try (SafeTensors golden = SafeTensors.open(dir.resolve("io.safetensors"));
        SafeTensors written = SafeTensors.open(outFile)) {
      assertEquals(java.util.Set.of("latent"), written.names());
      assertArrayEquals(golden.info("latent").shape(), written.info("latent").shape());
      double e = ForwardCommandTest.relativeError(golden.floats("latent"), written.floats("latent"));
      assertTrue(e <= 1e-4, "latent: relative error " + e);
    }
  }
}
