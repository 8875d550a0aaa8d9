package org.cascadetuner.common.models.stagec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.io.SafeTensorsWriter;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.models.ModelRunner;
import org.cascadetuner.common.models.ModelRunners;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code forward --model stage-c} runner on the goldens: out, grad_loss, and every grad/ tensor. */
class StageCModelRunnerTest {
  static final Backend BE = Backends.get("cpu");
  static final Configuration CONF = new Configuration();

  static Map<String, ModelRunner.Output> run(String weights, Path inputs, String lora) {
    ModelRunner runner = ModelRunners.get("stage-c");
    Map<String, ModelRunner.Output> m = new LinkedHashMap<>();
    try (SafeTensors in = SafeTensors.open(inputs)) {
      for (ModelRunner.Output o : runner.run(weights, in, lora, BE, CONF)) m.put(o.name(), o);
    }
    return m;
  }

  /** Every output against the golden tensor of the same name (grad/ ones from grads.safetensors). */
  static void compare(Map<String, ModelRunner.Output> got, TensorSource io, TensorSource grads) {
    StageCGoldens.Report report = new StageCGoldens.Report();
    double floor = StageCGoldens.ZERO_GRADIENT_FLOOR * StableCascadeUNetTest.largest((SafeTensors) grads);
    for (ModelRunner.Output o : got.values()) {
      TensorSource ref = o.name().startsWith("grad/") ? grads : io;
      if (!ref.contains(o.name())) {
        report.fail(o.name() + ": not in the golden");
        continue;
      }
      assertArrayEquals(ref.info(o.name()).shape(), o.shape(), o.name());
      if (o.name().startsWith("grad/"))
        report.checkWithFloor(o.name(), ref.floats(o.name()), o.data(), StageCGoldens.GRAD_TOL, floor);
      else report.check(o.name(), ref.floats(o.name()), o.data(), StageCGoldens.FORWARD_TOL);
    }
    report.assertOk("forward --model stage-c");
  }

  @ParameterizedTest
  @ValueSource(strings = {"unet_tiny", "unet_repeat"})
  void fullFineTuneOutputsMatchTheGoldens(String golden) {
    Path dir = StageCGoldens.dir(golden);
    Map<String, ModelRunner.Output> got = run(dir.toString(), dir.resolve("io.safetensors"), null);
    try (SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"));
        SafeTensors grads = SafeTensors.open(dir.resolve("grads.safetensors"))) {
      // the golden io file as is: out, grad_loss, a gradient per parameter, and the sca/crp forward
      assertEquals(grads.names().size() + 4, got.size(), "out, grad_loss, out_sca_crp, r_embed_sca_crp, gradients");
      assertTrue(got.containsKey("out") && got.containsKey("grad_loss") && got.containsKey("out_sca_crp"));
      compare(got, io, grads);
    }
  }

  @Test
  void loraOutputsAreTheAdaptersGradients() {
    Path lora = StageCGoldens.dir("lora");
    Map<String, ModelRunner.Output> got = run(StageCGoldens.dir("unet_tiny").toString(), lora.resolve("io.safetensors"),
        lora.toString());
    try (SafeTensors io = SafeTensors.open(lora.resolve("io.safetensors"));
        SafeTensors grads = SafeTensors.open(lora.resolve("grads.safetensors"))) {
      TreeSet<String> names = new TreeSet<>(got.keySet());
      names.removeAll(List.of("out", "grad_loss"));
      assertEquals(new TreeSet<>(grads.names()), names);
      compare(got, io, grads);
    }
  }

  @Test
  void withoutGradTargetNoGradientsAreWritten(@TempDir Path tmp) {
    Path dir = StageCGoldens.dir("unet_tiny");
    Path in = tmp.resolve("in.safetensors");
    SafeTensorsWriter w = new SafeTensorsWriter();
    try (SafeTensors io = SafeTensors.open(dir.resolve("io.safetensors"))) {
      for (String n : List.of("sample", "timestep_ratio", "clip_text", "clip_text_pooled", "clip_img", "sca", "crp"))
        w.add(n, io.floats(n), io.info(n).shape());
      w.write(in.toString(), CONF);
      Map<String, ModelRunner.Output> got = run(dir.toString(), in, null);
      assertEquals(List.of("out", "out_sca_crp", "r_embed_sca_crp"), List.copyOf(got.keySet()));
      compare(got, io, io);
    }
  }

  @Test
  void missingInputsAreNamed(@TempDir Path tmp) {
    Path in = tmp.resolve("in.safetensors");
    new SafeTensorsWriter().add("sample", new float[16], 1, 16, 1, 1).write(in.toString(), CONF);
    String e = assertThrows(IllegalArgumentException.class,
        () -> run(StageCGoldens.dir("unet_tiny").toString(), in, null)).getMessage();
    assertTrue(e.contains("no 'timestep_ratio'"), e);
  }
}
