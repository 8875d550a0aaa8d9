package org.cascadetuner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RapidsGuardTest {

  @Test
  void withoutThePluginNothingIsChecked() {
    assertEquals(Optional.empty(), RapidsGuard.problem(Map.of("spark.master", "spark://m:7077")));
    assertEquals(Optional.empty(), RapidsGuard.problem(Map.of("spark.plugins", "org.example.OtherPlugin")));
  }

  @Test
  void thePluginWithoutGpusIsRefusedNamingTheKeys() {
    String p = RapidsGuard.problem(Map.of("spark.plugins", "com.nvidia.spark.SQLPlugin",
        "spark.master", "spark://m:7077")).orElseThrow();
    assertTrue(p.startsWith("spark.plugins = com.nvidia.spark.SQLPlugin enables the RAPIDS Accelerator, but "
        + "spark.executor.resource.gpu.amount is not set"), p);
    String zero = RapidsGuard.problem(Map.of("spark.plugins.defaultList", "a.B, com.nvidia.spark.SQLPlugin",
        "spark.executor.resource.gpu.amount", "0")).orElseThrow();
    assertTrue(zero.contains("spark.executor.resource.gpu.amount = 0: without a GPU"), zero);
  }

  @Test
  void thePluginWithGpusPasses() {
    assertEquals(Optional.empty(), RapidsGuard.problem(Map.of("spark.plugins", "com.nvidia.spark.SQLPlugin",
        "spark.executor.resource.gpu.amount", "1")));
  }

  @Test
  void inLocalModeTheDriverNeedsTheGpu() {
    Map<String, String> local = Map.of("spark.plugins", "com.nvidia.spark.SQLPlugin", "spark.master", "local[2]",
        "spark.executor.resource.gpu.amount", "1");
    assertTrue(RapidsGuard.problem(local).orElseThrow().contains("spark.driver.resource.gpu.amount is not set"));
    assertEquals(Optional.empty(), RapidsGuard.problem(Map.of("spark.plugins", "com.nvidia.spark.SQLPlugin",
        "spark.master", "local[2]", "spark.driver.resource.gpu.amount", "1")));
  }
}
