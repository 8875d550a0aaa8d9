package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cascadetuner.common.testing.SharedFiles;
import org.cascadetuner.jobs.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment end to end, as a user runs it: a SPARK_HOME from deploy/spark-home.sh, a standalone Master and two
 * Workers started with its sbin scripts as separate processes on 127.0.0.1, and the application jar submitted to
 * them with bin/spark-submit. The executors load the ND4J natives from the jar and compute; S3 is S3Proxy with the
 * credentials in the environment only.
 */
class StandaloneClusterIT {
  static Path home;
  static String master;
  static Map<String, String> env;

  @TempDir static Path tmp;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void startCluster() throws Exception {
    home = SparkDistribution.home();
    env = new HashMap<>(Map.of("SPARK_LOCAL_IP", "127.0.0.1", "JAVA_HOME", System.getProperty("java.home"),
        "SPARK_HOME", home.toString(), "PATH", "/usr/bin:/bin"));
    Deploy.run(List.of(home.resolve("sbin/stop-all.sh").toString()), env, home); // leftovers of an aborted run
    int port = freePort();
    master = "spark://127.0.0.1:" + port;
    Deploy.Run m = Deploy.run(List.of(home.resolve("sbin/start-master.sh").toString(), "--port", String.valueOf(port),
        "--webui-port", String.valueOf(freePort())), env, home);
    assertEquals(0, m.exit(), m.all());
    for (int i = 0; i < 2; i++) {
      Deploy.Run w = Deploy.run(List.of(home.resolve("sbin/start-worker.sh").toString(), master, "--cores", "1",
          "--memory", "2g", "--port", String.valueOf(freePort()), "--webui-port", String.valueOf(freePort())), env, home);
      assertEquals(0, w.exit(), w.all());
    }
    Path log = home.resolve("logs/master.out");
    // a loaded 2-core machine can take minutes to start three JVMs
    long deadline = System.nanoTime() + 180_000_000_000L;
    long registered = 0;
    while (System.nanoTime() < deadline && registered < 2) {
      Thread.sleep(500);
      if (Files.exists(log)) registered = Files.readAllLines(log).stream().filter(l -> l.contains("Registering worker")).count();
    }
    assertEquals(2, registered, "workers did not register; see " + home.resolve("logs"));
  }

  @AfterAll
  static void stopCluster() {
    if (home == null) return;
    Deploy.Run r = Deploy.run(List.of(home.resolve("sbin/stop-all.sh").toString()), env, home);
    assertEquals(0, r.exit(), r.all());
  }

  private static Deploy.Run submit(Map<String, String> extraEnv, String... args) {
    List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/spark-submit").toString(), "--master", master,
        "--class", "org.cascadetuner.cli.CascadeTuner", "--executor-memory", "1g", "--driver-memory", "1g",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.executorEnv.OMP_NUM_THREADS=1"));
    int app = List.of(args).indexOf("--");
    cmd.addAll(List.of(args).subList(0, app));
    cmd.add(SparkDistribution.appJar().toString());
    cmd.addAll(List.of(args).subList(app + 1, args.length));
    Map<String, String> e = new HashMap<>(env);
    e.putAll(extraEnv);
    return Deploy.run(cmd, e, tmp);
  }

  @Test
  void versionThroughSparkSubmit() {
    Deploy.Run r = submit(Map.of(), "--", "--version");
    assertEquals(0, r.exit(), r.all());
    assertTrue(r.out().startsWith("cascade-tuner " + Deploy.pomProperty("cli/pom.xml", "version") + "\n"), r.out());
  }

  @Test
  void everyExecutorLoadsTheCpuBackendFromTheJarAndComputes() {
    Deploy.Run r = submit(Map.of(), "--total-executor-cores", "2", "--executor-cores", "1", "--", "backend",
        "--on-executors", "--config",
        SharedFiles.spec("quickstart/config.json").toString(), "--data-backend-config",
        SharedFiles.spec("quickstart/multidatabackend.json").toString());
    assertEquals(0, r.exit(), r.all());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("driver: compute backend cpu on "), r.out());
    Set<String> executors = new TreeSet<>();
    Pattern p = Pattern.compile("executor (\\d+): compute backend cpu on .*; 1 CPU thread \\(OMP_NUM_THREADS\\); "
        + "matmul check passed");
    for (String l : lines.subList(1, lines.size())) {
      Matcher m = p.matcher(l);
      assertTrue(m.matches(), l);
      executors.add(m.group(1));
    }
    assertEquals(2, executors.size(), "one line per executor, both workers: " + r.out());
  }

  @Test
  void rapidsWithoutGpusIsRefusedBeforeAnyExecutorStarts() {
    Deploy.Run r = submit(Map.of(), "--conf", "spark.plugins=com.nvidia.spark.SQLPlugin", "--", "--version");
    assertEquals(2, r.exit(), r.all());
    assertTrue(r.err().contains("spark.plugins = com.nvidia.spark.SQLPlugin enables the RAPIDS Accelerator, but "
        + "spark.executor.resource.gpu.amount is not set"), r.err());
    assertFalse(r.out().contains("cascade-tuner"), "the command must not run");
  }

  /**
   * A dataset on S3 checked through the driver's Hadoop client, as the cluster will read it: endpoint settings in a
   * core-site.xml on HADOOP_CONF_DIR, the keys only in the environment of spark-submit.
   */
  @Test
  void datasetsOnS3AreCheckedWithCredentialsFromTheEnvironmentOnly() throws Exception {
    try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"), "images")) {
      Files.createDirectories(s3.bucketDir("images").resolve("stable-cascade"));
      Files.writeString(s3.bucketDir("images").resolve("stable-cascade/a.txt"), "a cat");
      Path hadoopConf = Files.createDirectories(tmp.resolve("hadoop-conf"));
      StringBuilder site = new StringBuilder("<configuration>\n");
      for (var e : s3.s3aSettings().entrySet()) {
        if (e.getKey().endsWith(".access.key") || e.getKey().endsWith(".secret.key")) continue;
        String value = e.getKey().equals("fs.s3a.aws.credentials.provider")
            ? "com.amazonaws.auth.EnvironmentVariableCredentialsProvider" : e.getValue();
        site.append("  <property><name>").append(e.getKey()).append("</name><value>").append(value)
            .append("</value></property>\n");
      }
      Files.writeString(hadoopConf.resolve("core-site.xml"), site.append("</configuration>\n"));
      Map<String, String> credentials = Map.of("HADOOP_CONF_DIR", hadoopConf.toString(),
          "AWS_ACCESS_KEY_ID", s3.s3aSettings().get("fs.s3a.access.key"),
          "AWS_SECRET_ACCESS_KEY", s3.secretKey());

      ObjectMapper json = new ObjectMapper();
      ArrayNode backends = (ArrayNode) json.readTree(SharedFiles.spec("quickstart/multidatabackend.json").toFile());
      ((ObjectNode) backends.get(0)).put("instance_data_dir", "s3a://images/stable-cascade");
      Path onS3 = tmp.resolve("multidatabackend-s3.json");
      json.writeValue(onS3.toFile(), backends);
      String config = SharedFiles.spec("quickstart/config.json").toString();

      Deploy.Run ok = submit(credentials, "--", "config", "check", "--check-paths", "--config", config,
          "--data-backend-config", onS3.toString());
      assertTrue(ok.out().contains("s3a://images/stable-cascade"), ok.all());
      assertFalse(ok.out().contains("s3a://images/stable-cascade does not exist"), ok.all());
      assertFalse(ok.out().contains("cannot be checked"), ok.all());

      ((ObjectNode) backends.get(0)).put("instance_data_dir", "s3a://images/no-such-folder");
      json.writeValue(onS3.toFile(), backends);
      Deploy.Run missing = submit(credentials, "--", "config", "check", "--check-paths", "--config", config,
          "--data-backend-config", onS3.toString());
      assertEquals(2, missing.exit(), missing.all());
      assertTrue(missing.out().contains("s3a://images/no-such-folder does not exist"), missing.all());

      Deploy.Run wrongKey = submit(Map.of("HADOOP_CONF_DIR", hadoopConf.toString(), "AWS_ACCESS_KEY_ID",
          s3.s3aSettings().get("fs.s3a.access.key"), "AWS_SECRET_ACCESS_KEY", "not-the-secret"), "--", "config", "check",
          "--check-paths", "--config", config, "--data-backend-config", onS3.toString());
      assertEquals(2, wrongKey.exit(), wrongKey.all());
      assertTrue(wrongKey.out().contains("cannot be checked"), "a wrong key is refused by S3: " + wrongKey.all());
    }
  }
}
