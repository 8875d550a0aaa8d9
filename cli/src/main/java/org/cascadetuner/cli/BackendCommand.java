package org.cascadetuner.cli;

import java.io.PrintWriter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.cascadetuner.common.config.ConfigLoader;
import org.cascadetuner.common.config.ConfigReport;
import org.cascadetuner.common.config.ModelSettings.ComputeBackend;
import org.cascadetuner.common.config.ResolvedConfiguration;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.BackendSelection;
import org.cascadetuner.common.nn.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cascade-tuner backend}: the start-up check of {@code compute_backend} on its own, here and, with
 * {@code --on-executors}, on every Spark executor, before a long run finds out the hard way. Each place prints the
 * one line of {@link BackendSelection} (backend, device, threads) and proves the backend computes with a small
 * matrix product; a place where the backend cannot run prints the reason.
 */
@Command(
    name = "backend",
    mixinStandardHelpOptions = true,
    versionProvider = CascadeTuner.Version.class,
    description = {"Check that the compute backend (compute_backend) runs here, and with --on-executors on every "
        + "Spark executor; one line each saying what runs where.", "Exit status: 0 it runs everywhere, 2 it does not."})
final class BackendCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "config.json whose compute_backend is checked.")
  String config;

  @Option(names = "--data-backend-config", paramLabel = "FILE", description = "multidatabackend.json (with --config).")
  String dataBackendConfig;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config.json key (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--backend", paramLabel = "NAME",
      description = "Backend to check instead of the configuration's: cpu, nd4j-cuda or cuda.")
  String backend;

  @Option(names = "--on-executors", description = "Also check on the executors of the Spark application.")
  boolean onExecutors;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ComputeBackend value;
    if (backend != null) {
      value = Arrays.stream(ComputeBackend.values()).filter(v -> v.spelling().equals(backend)).findFirst()
          .orElse(null);
      if (value == null) {
        err.println("--backend " + backend + ": allowed values are "
            + Arrays.stream(ComputeBackend.values()).map(ComputeBackend::spelling).collect(Collectors.joining(", ")));
        return ConfigCommand.INVALID;
      }
    } else if (config != null) {
      ResolvedConfiguration c = ConfigLoader.load(config, dataBackendConfig, overrides, false);
      if (!c.valid()) {
        err.print(ConfigReport.render(c));
        return ConfigCommand.INVALID;
      }
      value = c.training().model().computeBackend();
    } else {
      value = ComputeBackend.CPU;
    }

    Report here = Probe.run(value.spelling(), "driver");
    out.println(here.line());
    boolean ok = here.ok();
    if (onExecutors) {
      for (Report r : onExecutors(value.spelling())) {
        out.println(r.line());
        ok &= r.ok();
      }
    }
    out.flush();
    return ok ? 0 : ConfigCommand.INVALID;
  }

  /**
   * One probe per task slot of the application, one report per executor. The executors are awaited first: a cluster
   * hands them out over a few seconds, and tasks started earlier would all land on the first one.
   */
  private static List<Report> onExecutors(String name) {
    SparkSession spark = SparkSession.builder().appName("cascade-tuner backend").getOrCreate();
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      awaitExecutors(spark.sparkContext());
      int taskCpus = spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
      int slots = Math.max(1, jsc.defaultParallelism() / taskCpus);
      List<Report> all = jsc.parallelize(IntStream.range(0, slots).boxed().toList(), slots)
          .map(i -> Probe.run(name, "executor " + SparkEnv.get().executorId())).collect();
      Map<String, Report> byPlace = new TreeMap<>();
      for (Report r : all) byPlace.putIfAbsent(r.place(), r);
      return List.copyOf(byPlace.values());
    } finally {
      spark.stop();
    }
  }

  /**
   * Waits until the executors the settings ask for have registered (spark.executor.instances, or spark.cores.max /
   * spark.executor.cores), or, when the settings do not say, until their number has held for five seconds; at most
   * two minutes. Local mode has no executors to wait for.
   */
  static void awaitExecutors(org.apache.spark.SparkContext sc) {
    if (sc.isLocal()) return;
    org.apache.spark.SparkConf conf = sc.getConf();
    int expected = conf.contains("spark.executor.instances") ? conf.getInt("spark.executor.instances", 0)
        : conf.contains("spark.cores.max") && conf.contains("spark.executor.cores")
            ? conf.getInt("spark.cores.max", 0) / conf.getInt("spark.executor.cores", 1) : -1;
    long deadline = System.nanoTime() + 120_000_000_000L;
    int last = -1;
    long stableSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      int now = sc.statusTracker().getExecutorInfos().length - 1; // minus the driver
      if (expected > 0 && now >= expected) return;
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      } else if (expected <= 0 && now > 0 && System.nanoTime() - stableSince > 5_000_000_000L) {
        return;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** What one place (the driver, an executor) found. */
  record Report(String place, boolean ok, String line) implements Serializable {}

  /** The check itself, a plain static method so executors run it without the command object. */
  static final class Probe {
    private Probe() {}

    static Report run(String name, String place) {
      ComputeBackend value = Arrays.stream(ComputeBackend.values()).filter(v -> v.spelling().equals(name))
          .findFirst().orElseThrow();
      try {
        BackendSelection.Choice choice = BackendSelection.select(value, BackendSelection.Catalog.installed(),
            BackendSelection.Machine.probe());
        Backend be = org.cascadetuner.common.nn.Backends.get(choice.backend());
        String check = matmulCheck(be);
        return new Report(place, check.isEmpty(), place + ": " + choice.logLine()
            + (check.isEmpty() ? "; matmul check passed" : "; " + check));
      } catch (BackendSelection.Unavailable e) {
        return new Report(place, false, place + ": " + e.getMessage());
      }
    }

    /** [2,3] x [3,2] against the product worked out by hand; empty when they agree. */
    static String matmulCheck(Backend be) {
      float[] a = {1, 2, 3, 4, 5, 6};
      float[] b = {7, 8, 9, 10, 11, 12};
      float[] expected = {58, 64, 139, 154};
      try (Tensor ta = be.fromFloats(a, 2, 3); Tensor tb = be.fromFloats(b, 3, 2); Tensor c = be.matmul(ta, tb)) {
        float[] got = be.toFloats(c);
        return Arrays.equals(got, expected) ? ""
            : "matmul check FAILED: [[1,2,3],[4,5,6]] x [[7,8],[9,10],[11,12]] gave " + Arrays.toString(got);
      }
    }
  }
}
