package org.cascadetuner.jobs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster of separate JVMs on 127.0.0.1: one Master and N Workers started from a
 * {@link MiniSparkHome}. Executors are launched by the Workers as their own processes, as on a real cluster.
 */
public final class StandaloneCluster implements AutoCloseable {
  private final MiniSparkHome sparkHome;
  private final Process master;
  private final List<Process> workers;
  private final int masterPort;
  private final Path workDir;

  private StandaloneCluster(MiniSparkHome home, Process master, List<Process> workers, int port, Path workDir) {
    this.sparkHome = home;
    this.master = master;
    this.workers = workers;
    this.masterPort = port;
    this.workDir = workDir;
  }

  /** Starts a Master and {@code workers} Workers of {@code coresPerWorker} cores and {@code workerMemory} each. */
  public static StandaloneCluster start(Path workDir, int workers, int coresPerWorker, String workerMemory) {
    // one home per module build (target/), not per test: links outlive the test's temp folder harmlessly
    MiniSparkHome home = MiniSparkHome.create(Path.of("target", "spark-home").toAbsolutePath());
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> env = env(home);
    String cp = home.home().resolve("conf") + ":" + home.home().resolve("jars") + "/*";
    int port = Processes.freePort();
    int webUi = Processes.freePort();
    // an explicit logging config: test jars on the classpath carry log4j2-test.properties, which log4j2 prefers
    String logging = "-Dlog4j2.configurationFile=" + home.home().resolve("conf/log4j2.properties");
    Path masterLog = workDir.resolve("master.log");
    Process master = Processes.start(List.of(Processes.javaBin(), "-Xmx256m", logging, "-cp", cp,
        "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(port),
        "--webui-port", String.valueOf(webUi)), env, masterLog);
    List<Process> started = new ArrayList<>();
    try {
      Processes.awaitPort(master, port, Duration.ofSeconds(180), masterLog);
      for (int i = 0; i < workers; i++) {
        Path dir = Files.createDirectories(workDir.resolve("worker-" + i));
        Path log = workDir.resolve("worker-" + i + ".log");
        int workerPort = Processes.freePort();
        Process w = Processes.start(List.of(Processes.javaBin(), "-Xmx256m", logging, "-cp", cp,
            "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", String.valueOf(workerPort),
            "--cores", String.valueOf(coresPerWorker), "--memory", workerMemory,
            "--webui-port", String.valueOf(Processes.freePort()), "--work-dir", dir.toString(),
            "spark://127.0.0.1:" + port), env, log);
        started.add(w);
        Processes.awaitPort(w, workerPort, Duration.ofSeconds(180), log);
      }
      StandaloneCluster c = new StandaloneCluster(home, master, started, port, workDir);
      c.awaitAliveWorkers(workers, webUi, Duration.ofSeconds(180));
      return c;
    } catch (IOException | RuntimeException e) {
      started.forEach(Processes::stop);
      Processes.stop(master);
      if (e instanceof IOException io) throw new UncheckedIOException(io);
      throw (RuntimeException) e;
    }
  }

  private static Map<String, String> env(MiniSparkHome home) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPARK_HOME", home.home().toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("SPARK_CONF_DIR", home.home().resolve("conf").toString());
    return env;
  }

  /** Polls the Master's JSON status page until {@code n} workers are ALIVE. */
  private void awaitAliveWorkers(int n, int webUi, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!master.isAlive()) throw new IllegalStateException("the master exited; see " + workDir.resolve("master.log"));
      try (java.io.InputStream in = java.net.URI.create("http://127.0.0.1:" + webUi + "/json/").toURL().openStream()) {
        last = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (new com.fasterxml.jackson.databind.ObjectMapper().readTree(last).path("aliveworkers").asInt() >= n) return;
      } catch (IOException notYet) {
        // UI not up yet
      }
      Processes.sleep(300);
    }
    throw new IllegalStateException(n + " workers did not register with the master in " + timeout + "; last status: "
        + last + "; see the logs in " + workDir);
  }

  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  public MiniSparkHome sparkHome() {
    return sparkHome;
  }

  /** Spark settings a driver in the test JVM needs to run on this cluster with the test's classes. */
  public Map<String, String> driverSettings(String executorMemory) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spark.master", masterUrl());
    m.put("spark.driver.host", "127.0.0.1");
    m.put("spark.driver.bindAddress", "127.0.0.1");
    m.put("spark.ui.enabled", "false");
    m.put("spark.executor.memory", executorMemory);
    m.put("spark.executor.extraClassPath", sparkHome.executorExtraClassPath());
    m.put("spark.executorEnv.OMP_NUM_THREADS", "1");
    m.put("spark.executor.extraJavaOptions",
        "-Dlog4j2.configurationFile=" + sparkHome.home().resolve("conf/log4j2.properties"));
    m.put("spark.executorEnv.MALLOC_MMAP_THRESHOLD_", "33554432");
    m.put("spark.executorEnv.MALLOC_TRIM_THRESHOLD_", "4294967296");
    return m;
  }

  /** Kills one worker's executor JVMs (fault injection): the Worker process itself survives. */
  public int killExecutors() {
    int killed = 0;
    for (Process w : workers) {
      for (ProcessHandle h : w.descendants().toList()) {
        if (h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")) {
          h.destroyForcibly();
          killed++;
        }
      }
    }
    return killed;
  }

  @Override
  public void close() {
    workers.forEach(Processes::stop);
    Processes.stop(master);
  }
}
