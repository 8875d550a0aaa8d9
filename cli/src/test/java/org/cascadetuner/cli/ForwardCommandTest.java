package org.cascadetuner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code forward --model clip-text} on goldens/clip_text: the written tensors equal transformers' outputs. */
class ForwardCommandTest {
  @TempDir Path tmp;

  static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cl = CascadeTuner.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  static double relativeError(float[] ref, float[] actual) {
    assertEquals(ref.length, actual.length);
    double d = 0, m = 0;
    for (int i = 0; i < ref.length; i++) {
      d = Math.max(d, Math.abs(ref[i] - actual[i]));
      m = Math.max(m, Math.abs(ref[i]));
    }
    return d / m;
  }

  @Test
  void clipTextWritesTheContractOutputs() {
    Path dir = SharedFiles.goldens("clip_text");
    Path outFile = tmp.resolve("out.safetensors");
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = run(out, err, "forward", "--model", "clip-text", "--weights", dir.toString(), "--inputs",
        dir.resolve("io.safetensors").toString(), "--out", outFile.toString());
    assertEquals(0, code, err.toString());
    try (SafeTensors golden = SafeTensors.open(dir.resolve("io.safetensors"));
        SafeTensors written = SafeTensors.open(outFile)) {
      for (String name : new String[] {"clip_text", "clip_text_pooled", "last_hidden_state", "text_embeds"}) {
        assertTrue(out.toString().contains(name), out.toString());
        assertArrayEquals(golden.info(name).shape(), written.info(name).shape(), name);
        double e = relativeError(golden.floats(name), written.floats(name));
        assertTrue(e <= 1e-4, name + ": relative error " + e);
      }
    }
  }

  @Test
  void unknownModelNamesTheKnownOnes() {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = run(out, err, "forward", "--model", "vae", "--weights", "x", "--inputs", "y", "--out", "z");
    assertEquals(2, code);
    assertTrue(err.toString().contains("--model 'vae' is not known; allowed: ") && err.toString().contains("clip-text"),
        err.toString());
  }
}
