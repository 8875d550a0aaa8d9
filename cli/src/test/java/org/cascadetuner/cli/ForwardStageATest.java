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

/** {@code forward --model stage-a} on goldens/decoder/stage_a: the written images equal diffusers' decode. */
class ForwardStageATest {
  @TempDir Path tmp;

  @Test
  void stageAWritesTheGoldenDecode() {
    Path dir = SharedFiles.goldens("decoder/stage_a");
    Path outFile = tmp.resolve("out.safetensors");
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = ForwardCommandTest.run(out, err, "forward", "--model", "stage-a", "--weights", dir.toString(),
        "--inputs", dir.resolve("io.safetensors").toString(), "--out", outFile.toString());
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("decoded"), out.toString());
    try (SafeTensors golden = SafeTensors.open(dir.resolve("io.safetensors"));
        SafeTensors written = SafeTensors.open(outFile)) {
      assertEquals(java.util.Set.of("decoded"), written.names());
      assertArrayEquals(golden.info("decoded").shape(), written.info("decoded").shape());
      double e = ForwardCommandTest.relativeError(golden.floats("decoded"), written.floats("decoded"));
      assertTrue(e <= 1e-4, "decoded: relative error " + e);
    }
  }
}
