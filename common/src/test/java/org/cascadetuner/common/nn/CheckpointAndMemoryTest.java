package org.cascadetuner.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cascadetuner.common.nn.testing.GradCheck;
import org.cascadetuner.common.nn.testing.BlockStack;
import org.junit.jupiter.api.Test;

/** Gradient checkpointing gives the same gradients; many training steps leave native memory flat. */
class CheckpointAndMemoryTest {
  final Backend be = Backends.get("cpu");

  @Test
  void checkpointedBlocksGiveTheSameGradientsWithLessActivationMemory() {
    BlockStack s = new BlockStack(be, 3, 8, 6);
    Random rng = new Random(1);
    try (s.store; Tensor x = GradCheck.randn(be, rng, 1, 2, 8, 4, 4); Tensor ctx = GradCheck.randn(be, rng, 1, 2, 5, 6)) {
      float[] r = GradCheck.randn(rng, (int) x.numel(), 1);
      long[] plainPeak = new long[1], ckptPeak = new long[1];
      Tensor[] plain = s.step(x, ctx, r, false, plainPeak);
      List<float[]> plainGrads = s.store.trainable().stream().map(p -> p.grad().toFloats()).toList();
      s.store.zeroGrads();
      Tensor[] ckpt = s.step(x, ctx, r, true, ckptPeak);
      assertArrayEquals(plain[0].toFloats(), ckpt[0].toFloats(), 1e-6f, "dx");
      assertArrayEquals(plain[1].toFloats(), ckpt[1].toFloats(), 1e-6f, "dcontext");
      List<Parameter> params = s.store.trainable();
      for (int i = 0; i < params.size(); i++)
        assertArrayEquals(plainGrads.get(i), params.get(i).grad().toFloats(), 1e-6f, params.get(i).name());
      MemoryPlan plan = MemoryPlan.of(s.store, 2, ckptPeak[0]);
      assertEquals(s.store.parameterBytes(), plan.gradientBytes(), "all trainable: one gradient per parameter");
      assertEquals(2 * plan.gradientBytes(), plan.optimizerBytes());
      assertTrue(plan.format().contains("activations (peak)"), plan.format());
      assertTrue(ckptPeak[0] * 3 < plainPeak[0], "checkpointing keeps only block inputs: " + ckptPeak[0] + " vs "
          + plainPeak[0] + " bytes");
      Saved.closeAll(plain);
      Saved.closeAll(ckpt);
    }
  }

  @Test
  void theStackGradientMatchesFiniteDifferences() {
    BlockStack s = new BlockStack(be, 2, 4, 3);
    Random rng = new Random(2);
    try (s.store; Tensor x = GradCheck.randn(be, rng, 1, 1, 4, 3, 3); Tensor ctx = GradCheck.randn(be, rng, 1, 1, 2, 3)) {
      float[] r = GradCheck.randn(rng, (int) x.numel(), 1);
      Tensor[] g = s.step(x, ctx, r, true, null);
      java.util.function.Supplier<Tensor> fwd = () -> {
        Tensor h = x.retain();
        for (var b : s.blocks) {
          Tensor next = b.forward(Tape.NONE, h, ctx);
          h.close();
          h = next;
        }
        return h;
      };
      GradCheck.assertGradient("stack dx", GradCheck.numeric(x, fwd, r), g[0].toFloats());
      GradCheck.assertGradient("stack dctx", GradCheck.numeric(ctx, fwd, r), g[1].toFloats());
      Parameter w = s.store.get("blocks.0.fc1.w");
      GradCheck.assertGradient("stack d fc1", GradCheck.numeric(w.value(), fwd, r), w.grad().toFloats());
      Saved.closeAll(g);
    }
  }

  /**
   * Runs {@link MemorySoak} in a child JVM: 300 forward/backward/AdamW steps, no tensor left open between steps, and
   * RSS flat from step 200 on. The child's heap is fixed and pre-touched (heap growth would otherwise show as RSS),
   * C1 only, one OpenMP thread. Measured on this machine: RSS rises for the first ~250 steps (glibc arenas, JIT, ND4J
   * shape caches) and then stays within ~1 MiB; a native temporary leaked by one op call per step grows it by
   * megabytes.
   */
  @Test
  void manyTrainingStepsKeepNativeMemoryFlat() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), MemorySoak.class.getName(), "300",
        "200").redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "soak failed:\n" + out);
    long warm = -1, end = -1;
    for (String line : out.split("\n")) {
      if (line.startsWith("warm ")) warm = Long.parseLong(line.substring(5).trim());
      if (line.startsWith("end ")) end = Long.parseLong(line.substring(4).trim());
    }
    assertTrue(warm > 0 && end > 0, out);
    assertTrue(end - warm < 6 * 1024, "RSS grew from " + warm + " KiB to " + end + " KiB over 100 steps:\n" + out);
  }
}
