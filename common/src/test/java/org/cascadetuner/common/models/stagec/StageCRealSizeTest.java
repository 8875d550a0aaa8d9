package org.cascadetuner.common.models.stagec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One forward of the real prior_lite (1.03 B parameters, 4.1 GB float32) at batch 1, 24×24, with random weights,
 * in a child JVM whose off-heap limit fits the model; prints the memory plan, times and peak RSS. Excluded from the
 * default suite; run with
 * {@code mvn -pl common test -Dtest=StageCRealSizeTest -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dstagec.realSize.args="prior_lite 1 24 24 lora-step"} adds a checkpointed LoRA training step). The child
 * inherits the environment: on hosts where fresh pages are expensive, glibc's {@code MALLOC_MMAP_MAX_=0
 * MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=4294967295} (reuse freed buffers instead of mapping each one anew) cut
 * the forward's CPU time by about a third here.
 */
@Tag("real-size")
class StageCRealSizeTest {

  @Test
  void priorLiteForwardAtBatchOne() throws Exception {
    String args = System.getProperty("stagec.realSize.args", "prior_lite 1 24 24");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=16g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=20g", "-cp",
        System.getProperty("java.class.path"), StageCRealSize.class.getName()));
    cmd.addAll(List.of(args.trim().split("\\s+")));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", Integer.toString(Runtime.getRuntime().availableProcessors()));
    Process p = pb.start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) System.out.println("[real-size] " + line);
    }
    assertEquals(0, p.waitFor(), "the real-size run failed (output above)");
  }
}
