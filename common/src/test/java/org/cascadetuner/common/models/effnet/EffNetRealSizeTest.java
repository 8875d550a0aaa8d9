package org.cascadetuner.common.models.effnet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cascadetuner.common.models.testing.SyntheticWeights;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One forward of the real-size encoder (efficientnet_v2_s, random weights of the real names and shapes) on a 768×768
 * image, as Stage C training encodes it; prints the time and the process's peak RSS. Tagged real-size: run with
 * {@code mvn -pl common test -Dtest=EffNetRealSizeTest -Dtest.excludedGroups=none} (set OMP_NUM_THREADS to the cores).
 */
@Tag("real-size")
public class EffNetRealSizeTest {

  @Test
  void encodesA768ImageBatchOfOne() throws IOException {
    Backend be = Backends.get("cpu");
    Map<String, long[]> real = EffNetEncoderTest.realNames();
    int size = Integer.getInteger("effnet.size", 768);
    int batch = Integer.getInteger("effnet.batch", 1);
    int repeats = Integer.getInteger("effnet.repeats", 3);
    long t0 = System.nanoTime();
    try (EffNetEncoder enc = new EffNetEncoder(EffNetEncoderConfig.stageC(), new SyntheticWeights(real, 7), be,
        "synthetic efficientnet_v2_s")) {
      System.out.printf("effnet real-size: load %.2f s, %d parameters, backend %s%n", (System.nanoTime() - t0) / 1e9,
          enc.parameterCount(), be);
      float[] pixels = new float[batch * 3 * size * size];
      java.util.Random r = new java.util.Random(3);
      for (int i = 0; i < pixels.length; i++) pixels[i] = r.nextFloat();
      try (Tensor image = be.fromFloats(pixels, batch, 3, size, size)) {
        for (int k = 0; k < repeats; k++) {
          long t = System.nanoTime(), cpu0 = processCpuNanos();
          try (Tensor latent = enc.encode(image)) {
            double s = (System.nanoTime() - t) / 1e9, cpu = (processCpuNanos() - cpu0) / 1e9;
            assertArrayEquals(enc.latentShape(batch, size, size), latent.shape());
            float[] v = latent.toFloats();
            for (float f : v) assertTrue(Float.isFinite(f), "finite latent");
            System.out.printf("effnet real-size: %d x 3 x %d x %d -> latent %s in %.3f s wall, %.3f s process CPU (run %d), "
                + "peak RSS %d MiB%n", batch, size, size, java.util.Arrays.toString(latent.shape()), s, cpu, k,
                peakRssKiB() / 1024);
          }
        }
      }
    }
  }

  /** CPU time of the whole process (all threads), so a busy machine does not inflate the figure. */
  public static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** VmHWM of /proc/self/status (Linux), 0 elsewhere. */
  public static long peakRssKiB() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) return 0;
    for (String line : Files.readAllLines(status))
      if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
    return 0;
  }
}
