package org.cascadetuner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.cascadetuner.common.nn.GpuInventory;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BackendCommandTest {

  record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = CascadeTuner.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void theCpuBackendRunsHereAndComputes() {
    Result r = run("backend");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().startsWith("driver: compute backend cpu on "), r.out());
    assertTrue(r.out().strip().endsWith("; matmul check passed"), r.out());
  }

  @Test
  void theConfigurationsBackendIsChecked() {
    Result r = run("backend", "--config", SharedFiles.spec("quickstart/config.json").toString(),
        "--data-backend-config", SharedFiles.spec("quickstart/multidatabackend.json").toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().startsWith("driver: compute backend cpu on "), r.out());
  }

  @Test
  void aGpuBackendOnAMachineWithoutGpusFailsNamingKeyAndAlternatives() {
    // this check describes the machine it runs on; a machine with a GPU answers differently
    org.junit.jupiter.api.Assumptions.assumeTrue(GpuInventory.probe().isEmpty(), "a GPU is visible here");
    Result r = run("backend", "--backend", "cuda");
    assertEquals(2, r.exit(), r.out());
    assertTrue(r.out().startsWith("driver: compute_backend = cuda: no NVIDIA GPU is visible here"), r.out());
    assertTrue(r.out().contains("Allowed values: cpu, nd4j-cuda, cuda; on this machine: cpu."), r.out());
  }

  @Test
  void anUnknownBackendNameIsRefused() {
    Result r = run("backend", "--backend", "tpu");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--backend tpu: allowed values are cpu, nd4j-cuda, cuda"), r.err());
  }

  @Test
  void onExecutorsRunsTheCheckInsideSparkTasks() {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      Result r = run("backend", "--on-executors");
      assertEquals(0, r.exit(), r.out() + r.err());
      // local mode: the tasks run in the driver JVM's executor, whose id is "driver"
      assertTrue(r.out().contains("\nexecutor driver: compute backend cpu on "), r.out());
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
  }
}
