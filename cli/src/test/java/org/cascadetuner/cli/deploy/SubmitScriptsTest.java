package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/submit-train.sh and submit-refresh.sh run for real against a recording spark-submit (a SPARK_HOME whose
 * bin/spark-submit writes down its arguments and environment): the sizing rule, threads, GPU scheduling, the RAPIDS
 * guard, credentials from an env file only, config files passed through, and errors that name what is wrong.
 */
class SubmitScriptsTest {

  @TempDir Path tmp;
  Path sparkHome;
  Path jar;
  Path config;
  Path dataBackend;

  @BeforeEach
  void fakeSparkHome() throws IOException {
    sparkHome = tmp.resolve("spark");
    Deploy.executable(sparkHome.resolve("bin/spark-submit"), """
        #!/usr/bin/env bash
        printf '%s\\n' "$@" > "$(dirname "$0")/../args.txt"
        env > "$(dirname "$0")/../env.txt"
        """);
    jar = Files.writeString(tmp.resolve("cascade-tuner-9.9-app.jar"), "");
    config = SharedFiles.spec("quickstart/config.json");
    dataBackend = SharedFiles.spec("quickstart/multidatabackend.json");
  }

  private Deploy.Run submit(String job, Map<String, String> env, String... options) {
    List<String> cmd = new ArrayList<>(List.of("/bin/bash", Deploy.file("deploy/submit-" + job + ".sh").toString()));
    cmd.addAll(List.of(options));
    Map<String, String> e = new HashMap<>(Map.of("SPARK_HOME", sparkHome.toString(), "CASCADE_TUNER_JAR",
        jar.toString(), "PATH", "/usr/bin:/bin"));
    e.putAll(env);
    return Deploy.run(cmd, e, tmp);
  }

  private List<String> args() throws IOException {
    return Files.readAllLines(sparkHome.resolve("args.txt"));
  }

  /** The --conf settings in order of appearance; a later one overrides an earlier one, as in spark-submit. */
  private static Map<String, String> conf(List<String> args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < args.size() - 1; i++) {
      if (args.get(i).equals("--conf")) {
        String kv = args.get(i + 1);
        m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return m;
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    return i < 0 ? null : args.get(i + 1);
  }

  @Test
  void trainIsSizedForNd4jOffHeapMemoryAndThreads() throws IOException {
    Deploy.Run r = submit("train", Map.of(), "--config", config.toString(), "--data-backend-config",
        dataBackend.toString(), "--master", "spark://10.0.0.1:7077", "--executors", "3", "--executor-cores", "8",
        "--executor-memory", "16g", "--offheap", "24g", "--driver-memory", "6g");
    assertEquals(0, r.exit(), r.all());
    List<String> a = args();
    Map<String, String> c = conf(a);
    assertEquals("org.cascadetuner.cli.CascadeTuner", option(a, "--class"));
    assertEquals("spark://10.0.0.1:7077", option(a, "--master"));
    assertEquals("16g", option(a, "--executor-memory"));
    assertEquals("8", option(a, "--executor-cores"));
    // overhead = off-heap 24576m + max(384m, 16384m / 10)
    assertEquals("26214m", c.get("spark.executor.memoryOverhead"));
    assertEquals("-Xss4m -Dorg.bytedeco.javacpp.maxbytes=24576m -Dorg.bytedeco.javacpp.maxphysicalbytes=42598m",
        c.get("spark.executor.extraJavaOptions"));
    // driver: default 2g off-heap + max(384m, 6144m / 10)
    assertEquals("2662m", c.get("spark.driver.memoryOverhead"));
    assertEquals("8", c.get("spark.task.cpus"));
    assertEquals("8", c.get("spark.executorEnv.OMP_NUM_THREADS"));
    assertEquals("3", c.get("spark.executor.instances"));
    assertEquals("24", c.get("spark.cores.max"));
    assertFalse(c.containsKey("spark.executor.resource.gpu.amount"));
    assertFalse(c.containsKey("spark.plugins"));
    // the app jar, then the job and its config files as absolute paths (client mode: the driver is here)
    int j = a.indexOf(jar.toString());
    assertEquals(List.of("train", "--config", config.toAbsolutePath().toString(), "--data-backend-config",
        dataBackend.toAbsolutePath().toString()), a.subList(j + 1, a.size()));
  }

  @Test
  void theProjectsSparkDefaultsArePassedAndTheUsersConfWins() throws IOException {
    Deploy.Run r = submit("refresh", Map.of(), "--config", config.toString(), "--conf",
        "spark.sql.parquet.columnarReaderBatchSize=64", "--conf", "spark.task.cpus=2");
    assertEquals(0, r.exit(), r.all());
    Map<String, String> c = conf(args());
    assertEquals("zstd", c.get("spark.sql.parquet.compression.codec"));
    assertEquals("1", c.get("spark.hadoop.parquet.page.size.row.check.min"));
    assertEquals("64", c.get("spark.sql.parquet.columnarReaderBatchSize"));
    assertEquals("2", c.get("spark.task.cpus"));
    // refresh's default off-heap is 8g: 8192m + max(384m, 8192m / 10)
    assertEquals("9011m", c.get("spark.executor.memoryOverhead"));
    List<String> a = args();
    assertEquals("refresh", a.get(a.indexOf(jar.toString()) + 1));
  }

  @Test
  void gpusAreScheduledOneTaskPerGpu() throws IOException {
    Path cudaConfig = Files.writeString(tmp.resolve("config.json"), "{\"--compute_backend\": \"cuda\"}");
    Deploy.Run r = submit("train", Map.of(), "--config", cudaConfig.toString(), "--executor-cores", "16",
        "--gpus-per-executor", "4");
    assertEquals(0, r.exit(), r.all());
    Map<String, String> c = conf(args());
    assertEquals("4", c.get("spark.executor.resource.gpu.amount"));
    assertEquals("1", c.get("spark.task.resource.gpu.amount"));
    assertEquals("4", c.get("spark.task.cpus"));
    assertEquals("4", c.get("spark.executorEnv.OMP_NUM_THREADS"));
    assertEquals("nvidia.com", c.get("spark.executor.resource.gpu.vendor"));
    Path discovery = Path.of(c.get("spark.executor.resource.gpu.discoveryScript"));
    assertEquals(Deploy.file("deploy/gpu-discovery.sh").toRealPath(), discovery.toRealPath());
  }

  @Test
  void aGpuBackendWithoutGpusIsRefusedNamingTheKey() throws IOException {
    Path cudaConfig = Files.writeString(tmp.resolve("config.json"), "{\"compute_backend\": \"nd4j-cuda\"}");
    Deploy.Run r = submit("train", Map.of(), "--config", cudaConfig.toString());
    assertEquals(2, r.exit(), r.all());
    assertTrue(r.err().contains("compute_backend = nd4j-cuda needs GPUs: add --gpus-per-executor N"), r.err());
    assertFalse(Files.exists(sparkHome.resolve("args.txt")), "spark-submit must not run");
  }

  @Test
  void rapidsIsNeverEnabledWithoutGpus() throws IOException {
    Path rapidsJar = Files.writeString(tmp.resolve("rapids-4-spark_2.12-25.04.0.jar"), "");
    Deploy.Run noGpu = submit("refresh", Map.of("RAPIDS_JAR", rapidsJar.toString()), "--config", config.toString(),
        "--rapids");
    assertEquals(2, noGpu.exit(), noGpu.all());
    assertTrue(noGpu.err().contains("--rapids needs GPUs: add --gpus-per-executor N"), noGpu.err());
    assertFalse(Files.exists(sparkHome.resolve("args.txt")), "spark-submit must not run");

    Deploy.Run noJar = submit("refresh", Map.of(), "--config", config.toString(), "--rapids", "--gpus-per-executor", "1");
    assertEquals(2, noJar.exit(), noJar.all());
    assertTrue(noJar.err().contains("--rapids needs RAPIDS_JAR="), noJar.err());

    Deploy.Run ok = submit("refresh", Map.of("RAPIDS_JAR", rapidsJar.toString()), "--config", config.toString(),
        "--rapids", "--gpus-per-executor", "1");
    assertEquals(0, ok.exit(), ok.all());
    List<String> a = args();
    Map<String, String> c = conf(a);
    assertEquals("com.nvidia.spark.SQLPlugin", c.get("spark.plugins"));
    assertEquals("true", c.get("spark.rapids.sql.enabled"));
    assertEquals("0.3", c.get("spark.rapids.memory.gpu.allocFraction"));
    assertEquals(rapidsJar.toString(), option(a, "--jars"));
    assertEquals("1", c.get("spark.executor.resource.gpu.amount"));
  }

  @Test
  void credentialsComeFromTheEnvFileAndNeverAppearInTheArguments() throws IOException {
    Path env = Files.writeString(tmp.resolve("s3.env"),
        "AWS_ACCESS_KEY_ID=AKIDEXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIexampleSECRET\n");
    Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-------"));
    Deploy.Run r = submit("refresh", Map.of(), "--config", config.toString(), "--env-file", env.toString());
    assertEquals(0, r.exit(), r.all());
    assertFalse(r.err().contains("readable by other users"), r.err());
    String submitted = String.join("\n", args());
    assertFalse(submitted.contains("wJalrXUtnFEMIexampleSECRET"), "the secret is on the command line");
    assertFalse(submitted.contains("AKIDEXAMPLE"));
    List<String> environment = Files.readAllLines(sparkHome.resolve("env.txt"));
    assertTrue(environment.contains("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIexampleSECRET"), "spark-submit's environment");
    assertTrue(environment.contains("AWS_ACCESS_KEY_ID=AKIDEXAMPLE"));

    Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r--r--"));
    Deploy.Run open = submit("refresh", Map.of(), "--config", config.toString(), "--env-file", env.toString());
    assertEquals(0, open.exit(), open.all());
    assertTrue(open.err().contains("is readable by other users; chmod 600 it"), open.err());
  }

  @Test
  void clusterModeShipsTheConfigFilesAndNamesThemByBaseName() throws IOException {
    Deploy.Run r = submit("train", Map.of(), "--config", config.toString(), "--data-backend-config",
        dataBackend.toString(), "--deploy-mode", "cluster");
    assertEquals(0, r.exit(), r.all());
    List<String> a = args();
    assertEquals("cluster", option(a, "--deploy-mode"));
    assertEquals(config + "," + dataBackend, option(a, "--files"));
    assertEquals(List.of("train", "--config", "config.json", "--data-backend-config", "multidatabackend.json"),
        a.subList(a.indexOf(jar.toString()) + 1, a.size()));
  }

  @Test
  void argumentsAfterTheDoubleDashGoToTheCommand() throws IOException {
    Deploy.Run r = submit("train", Map.of(), "--config", config.toString(), "--", "--set", "learning_rate=1e-5");
    assertEquals(0, r.exit(), r.all());
    List<String> a = args();
    assertEquals(List.of("--set", "learning_rate=1e-5"), a.subList(a.size() - 2, a.size()));
  }

  @Test
  void mistakesAreNamedWithWhatIsAllowed() {
    Deploy.Run noConfig = submit("train", Map.of());
    assertEquals(2, noConfig.exit());
    assertTrue(noConfig.err().contains("--config is required"), noConfig.err());
    Deploy.Run size = submit("train", Map.of(), "--config", config.toString(), "--offheap", "lots");
    assertEquals(2, size.exit());
    assertTrue(size.err().contains("--offheap lots: not a size (allowed: a number with k, m, g or t, e.g. 8g)"),
        size.err());
    Deploy.Run mode = submit("train", Map.of(), "--config", config.toString(), "--deploy-mode", "yarn");
    assertTrue(mode.err().contains("--deploy-mode yarn: allowed are client and cluster"), mode.err());
    Deploy.Run gpus = submit("train", Map.of(), "--config", config.toString(), "--executor-cores", "2",
        "--gpus-per-executor", "4");
    assertTrue(gpus.err().contains("--gpus-per-executor 4 exceeds --executor-cores 2"), gpus.err());
    Deploy.Run unknown = submit("train", Map.of(), "--config", config.toString(), "--executor-mem", "8g");
    assertTrue(unknown.err().contains("unknown option --executor-mem"), unknown.err());
  }

  @Test
  void dryRunPrintsTheCommandWithoutRunningIt() throws IOException {
    Deploy.Run r = submit("train", Map.of(), "--config", config.toString(), "--dry-run");
    assertEquals(0, r.exit(), r.all());
    List<String> printed = r.out().lines().toList();
    assertEquals(sparkHome.resolve("bin/spark-submit").toString(), printed.get(0));
    assertTrue(printed.contains("spark.executor.memoryOverhead=25395m"), r.out()); // 24576m + max(384m, 8192m / 10)
    assertFalse(Files.exists(sparkHome.resolve("args.txt")), "spark-submit must not run");
  }

  @Test
  void helpDescribesTheSizingRule() {
    Deploy.Run r = submit("train", Map.of(), "--help");
    assertEquals(0, r.exit());
    assertTrue(r.out().contains("memoryOverhead = offheap + max(384m, heap / 10)"), r.out());
  }
}
