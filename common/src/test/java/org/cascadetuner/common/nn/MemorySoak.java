package org.cascadetuner.common.nn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cascadetuner.common.nn.testing.BlockStack;
import org.cascadetuner.common.nn.testing.GradCheck;

/**
 * Training steps in a loop, printing VmRSS (KiB) after warm-up and at the end, and failing if any tensor stays open
 * between steps. Run by {@link CheckpointAndMemoryTest} in a child JVM.
 */
public final class MemorySoak {
  static long rssKiB() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status")))
      if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  public static void main(String[] args) throws Exception {
    int steps = Integer.parseInt(args[0]), warmStep = Integer.parseInt(args[1]);
    Backend be = Backends.get("cpu");
    BlockStack s = new BlockStack(be, 1, 16, 8);
    Random rng = new Random(3);
    Backend.AdamW h = new Backend.AdamW(1e-3, 0.9, 0.999, 1e-8, 0.01);
    List<Tensor[]> moments = new ArrayList<>();
    for (Parameter p : s.store.trainable()) moments.add(new Tensor[] {be.zeros(p.shape()), be.zeros(p.shape())});
    // per step ~100 intermediates, the largest [2,64,8,8] (32 KiB): one leaked tensor per step shows at once
    try (Tensor x = GradCheck.randn(be, rng, 1, 2, 16, 8, 8); Tensor ctx = GradCheck.randn(be, rng, 1, 2, 7, 8)) {
      float[] r = GradCheck.randn(rng, (int) x.numel(), 1);
      long live = -1;
      for (int step = 1; step <= steps; step++) {
        s.store.zeroGrads();
        Saved.closeAll(s.step(x, ctx, r, step % 2 == 0, null));
        List<Parameter> ps = s.store.trainable();
        for (int i = 0; i < ps.size(); i++)
          be.adamwStep(ps.get(i).value(), ps.get(i).grad(), moments.get(i)[0], moments.get(i)[1], h, step);
        if (step == warmStep) {
          System.out.println("warm " + rssKiB());
          live = be.liveTensors();
        }
        if (step % 50 == 0 && System.getenv("SOAK_VERBOSE") != null) System.out.println("step " + step + " " + rssKiB());
        if (step > warmStep && be.liveTensors() != live)
          throw new IllegalStateException("step " + step + ": " + be.liveTensors() + " tensors open, " + live + " before");
      }
      System.out.println("end " + rssKiB());
    }
    for (Tensor[] m : moments) Saved.closeAll(m);
    s.store.close();
  }
}
