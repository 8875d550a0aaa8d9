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

/**
 * {@code forward --model stage-c} end to end on the golden io files: the written file holds out, grad_loss and a
 * gradient per trainable parameter, equal to diffusers' (full model) and peft's (--lora).
 */
class StageCForwardCommandTest {
  @TempDir Path tmp;

  /** Runs the command and compares every written tensor with the golden of the same name. */
  void check(Path weights, Path goldenDir, String lora) {
    Path outFile = tmp.resolve("out.safetensors");
    StringWriter out = new StringWriter(), err = new StringWriter();
    String[] args = lora == null
        ? new String[] {"forward", "--model", "stage-c", "--weights", weights.toString(), "--inputs",
            goldenDir.resolve("io.safetensors").toString(), "--out", outFile.toString()}
        : new String[] {"forward", "--model", "stage-c", "--weights", weights.toString(), "--inputs",
            goldenDir.resolve("io.safetensors").toString(), "--out", outFile.toString(), "--lora", lora};
    assertEquals(0, ForwardCommandTest.run(out, err, args), err.toString());
    try (SafeTensors io = SafeTensors.open(goldenDir.resolve("io.safetensors"));
        SafeTensors grads = SafeTensors.open(goldenDir.resolve("grads.safetensors"));
        SafeTensors written = SafeTensors.open(outFile)) {
      assertTrue(written.contains("out") && written.contains("grad_loss"), written.names().toString());
      long gradients = written.names().stream().filter(n -> n.startsWith("grad/")).count();
      assertEquals(grads.names().size(), gradients, "one gradient per trainable parameter");
      double largest = 0;
      for (String n : grads.names()) for (float v : grads.floats(n)) largest = Math.max(largest, Math.abs(v));
      for (String name : written.names()) {
        SafeTensors ref = name.startsWith("grad/") ? grads : io;
        assertTrue(ref.contains(name), name + " is not a golden tensor");
        assertArrayEquals(ref.info(name).shape(), written.info(name).shape(), name);
        float[] a = ref.floats(name), b = written.floats(name);
        double d = 0, m = 0;
        for (int i = 0; i < a.length; i++) {
          d = Math.max(d, Math.abs(a[i] - b[i]));
          m = Math.max(m, Math.abs(a[i]));
        }
        // gradients: relative to their scale, floored for the key bias (zero in exact arithmetic)
        double e = name.startsWith("grad/") ? d / Math.max(m, 1e-4 * largest) : d / m;
        assertTrue(e <= (name.startsWith("grad/") ? 1e-3 : 1e-4), name + ": error " + e);
      }
    }
  }

  @Test
  void fullModelGradientsMatchDiffusers() {
    Path dir = SharedFiles.goldens("unet_tiny");
    check(dir, dir, null);
  }

  @Test
  void loraGradientsMatchPeft() {
    Path lora = SharedFiles.goldens("lora");
    check(SharedFiles.goldens("unet_tiny"), lora, lora.toString());
  }
}
