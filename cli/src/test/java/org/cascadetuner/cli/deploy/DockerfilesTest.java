package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfiles linted as far as possible without a Docker engine: instructions parsed, images pinned, every COPY
 * source present in the build context and not excluded by the .dockerignore, stages and build arguments defined
 * before use, RUN commands parsed by a POSIX shell and shellcheck, a non-root user, an exec-form entrypoint, no
 * credentials. The entrypoint script itself runs for real with a fake java and spark-submit.
 */
class DockerfilesTest {
  static final List<String> DOCKERFILES = List.of("deploy/docker/Dockerfile", "deploy/docker/Dockerfile.gpu");
  static final Set<String> INSTRUCTIONS = Set.of("FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY",
      "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL");

  @TempDir Path tmp;

  record Instruction(int line, String keyword, String args) {}

  /** Instructions with continuation lines joined; comments and the parser directive skipped. */
  static List<Instruction> parse(String text) {
    List<Instruction> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i];
      if (l.isBlank() || l.stripLeading().startsWith("#")) continue;
      int start = i + 1;
      StringBuilder b = new StringBuilder();
      while (l.endsWith("\\")) {
        b.append(l, 0, l.length() - 1).append(' ');
        l = lines[++i];
        while (l.stripLeading().startsWith("#")) l = lines[++i];
      }
      b.append(l);
      String joined = b.toString().strip();
      int sp = joined.indexOf(' ');
      out.add(new Instruction(start, joined.substring(0, sp).toUpperCase(Locale.ROOT), joined.substring(sp + 1).strip()));
    }
    return out;
  }

  @Test
  void instructionsAreKnownAndBuildArgumentsAndStagesDefinedBeforeUse() {
    for (String f : DOCKERFILES) {
      List<Instruction> ins = parse(Deploy.read(f));
      Set<String> args = new HashSet<>();
      Set<String> stages = new HashSet<>();
      for (Instruction in : ins) {
        String where = f + ":" + in.line() + " ";
        assertTrue(INSTRUCTIONS.contains(in.keyword()), where + "unknown instruction " + in.keyword());
        if (in.keyword().equals("ARG")) args.add(in.args().split("=")[0]);
        if (in.keyword().equals("FROM")) {
          Matcher m = Pattern.compile("^(\\S+)(?:\\s+AS\\s+(\\S+))?$", Pattern.CASE_INSENSITIVE).matcher(in.args());
          assertTrue(m.matches(), where + in.args());
          Matcher var = Pattern.compile("\\$\\{(\\w+)}").matcher(m.group(1));
          while (var.find()) assertTrue(args.contains(var.group(1)), where + "ARG " + var.group(1) + " is not declared");
          if (m.group(2) != null) stages.add(m.group(2));
        }
        Matcher from = Pattern.compile("--from=(\\S+)").matcher(in.args());
        if (from.find()) assertTrue(stages.contains(from.group(1)), where + "no stage " + from.group(1));
      }
    }
  }

  @Test
  void baseImagesArePinnedToAVersion() {
    for (String f : DOCKERFILES) {
      for (Instruction in : parse(Deploy.read(f))) {
        if (!in.keyword().equals("ARG") || !in.args().contains("_IMAGE=")) continue;
        String image = in.args().substring(in.args().indexOf('=') + 1);
        Matcher m = Pattern.compile("^[a-z0-9./-]+:([A-Za-z0-9._-]+)$").matcher(image);
        assertTrue(m.matches(), f + ": " + image + " has no tag");
        assertFalse(m.group(1).equals("latest"), f + ": " + image);
        assertTrue(m.group(1).matches(".*\\d.*"), f + ": " + image + " is not pinned to a version");
      }
    }
    assertTrue(Deploy.read("deploy/docker/Dockerfile.gpu").contains("ARG CUDA_IMAGE=nvidia/cuda:13."),
        "the GPU image is built on CUDA 13 (the cuda backend's libraries)");
  }

  @Test
  void everyCopiedFileIsInTheBuildContextAndNotIgnored() throws IOException {
    for (String f : DOCKERFILES) {
      List<PathMatcher> ignored = new ArrayList<>();
      for (String rule : Deploy.read(f + ".dockerignore").lines().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
        ignored.add(FileSystems.getDefault().getPathMatcher("glob:" + rule));
        ignored.add(FileSystems.getDefault().getPathMatcher("glob:" + rule + "/**"));
      }
      for (String must : List.of("**/target", "shared", ".git")) {
        assertTrue(Deploy.read(f + ".dockerignore").lines().anyMatch(l -> l.strip().equals(must)),
            f + ".dockerignore must exclude " + must);
      }
      for (Instruction in : parse(Deploy.read(f))) {
        if (!in.keyword().equals("COPY") || in.args().startsWith("--from=")) continue;
        List<String> parts = new ArrayList<>(List.of(in.args().split("\\s+")));
        parts.removeIf(p -> p.startsWith("--"));
        for (String src : parts.subList(0, parts.size() - 1)) {
          Path p = Deploy.root().resolve(src);
          assertTrue(Files.exists(p), f + ":" + in.line() + " COPY " + src + ": not in the repository");
          Path rel = Path.of(src);
          assertFalse(ignored.stream().anyMatch(m -> m.matches(rel)), f + ": COPY " + src + " is .dockerignore'd");
        }
      }
    }
  }

  @Test
  void runCommandsAreValidShell() {
    Path shellcheck = Deploy.tool("shellcheck", "shellcheck");
    for (String f : DOCKERFILES) {
      for (Instruction in : parse(Deploy.read(f))) {
        if (!in.keyword().equals("RUN")) continue;
        String cmd = in.args().replaceAll("^(--mount=\\S+\\s+)+", "");
        Path script = Deploy.executable(tmp.resolve("run-" + in.line() + ".sh"), "#!/bin/sh\n" + cmd + "\n");
        Deploy.Run n = Deploy.run(List.of("/bin/sh", "-n", script.toString()), Map.of(), tmp);
        assertEquals(0, n.exit(), f + ":" + in.line() + " " + n.err());
        Deploy.Run sc = Deploy.run(List.of(shellcheck.toString(), "--severity=warning", "--shell=sh",
            script.toString()), Map.of(), tmp);
        assertEquals(0, sc.exit(), f + ":" + in.line() + "\n" + sc.out());
      }
    }
  }

  @Test
  void theImageRunsAsANonRootUserThroughAnExecFormEntrypoint() throws IOException {
    for (String f : DOCKERFILES) {
      List<Instruction> ins = parse(Deploy.read(f));
      String user = null;
      String entrypoint = null;
      for (Instruction in : ins) {
        if (in.keyword().equals("FROM")) {
          user = null;
          entrypoint = null;
        }
        if (in.keyword().equals("USER")) user = in.args();
        if (in.keyword().equals("ENTRYPOINT")) entrypoint = in.args();
        if (in.keyword().equals("ENV") || in.keyword().equals("ARG")) {
          String upper = in.args().toUpperCase(Locale.ROOT);
          assertFalse(upper.contains("AWS_") || upper.contains("SECRET") || upper.contains("PASSWORD"),
              f + ":" + in.line() + ": credentials never go into the image");
        }
      }
      assertTrue(user != null && !user.equals("root") && !user.equals("0"), f + ": final stage runs as root");
      JsonNode ep = new ObjectMapper().readTree(entrypoint);
      assertTrue(ep.isArray(), f + ": ENTRYPOINT in exec form (a JSON array) so signals reach Spark");
      assertEquals("/opt/entrypoint.sh", ep.get(ep.size() - 1).asText());
      assertTrue(Deploy.read(f).contains("COPY deploy/docker/entrypoint.sh /opt/entrypoint.sh"));
    }
  }

  // ------------------------------------------------------------------ entrypoint.sh, run for real

  private Deploy.Run entrypoint(Map<String, String> env, String... args) {
    Path javaHome = tmp.resolve("jdk");
    Deploy.executable(javaHome.resolve("bin/java"), "#!/usr/bin/env bash\nprintf '%s\\n' java \"$@\"\n");
    Path sparkHome = tmp.resolve("spark");
    Deploy.executable(sparkHome.resolve("bin/spark-submit"), "#!/usr/bin/env bash\nprintf '%s\\n' spark-submit \"$@\"\n");
    List<String> cmd = new ArrayList<>(List.of("/bin/bash", Deploy.file("deploy/docker/entrypoint.sh").toString()));
    cmd.addAll(List.of(args));
    Map<String, String> e = new java.util.HashMap<>(Map.of("JAVA_HOME", javaHome.toString(), "SPARK_HOME",
        sparkHome.toString(), "CASCADE_TUNER_HOME", "/opt/cascade-tuner", "PATH", "/usr/bin:/bin"));
    e.putAll(env);
    return Deploy.run(cmd, e, tmp);
  }

  private static Map<String, String> pairs(String... kv) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  @Test
  void anExecutorPodStartsSparksKubernetesExecutorBackendFromItsEnvironment() {
    Deploy.Run r = entrypoint(pairs("SPARK_JAVA_OPT_0", "-Dspark.driver.port=7078", "SPARK_JAVA_OPT_1",
            "-Xss4m -Dorg.bytedeco.javacpp.maxbytes=8192m", "SPARK_JAVA_OPT_2", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "SPARK_EXECUTOR_MEMORY", "8g", "SPARK_DRIVER_URL", "spark://CoarseGrainedScheduler@driver-svc:7078",
            "SPARK_EXECUTOR_ID", "3", "SPARK_EXECUTOR_CORES", "8", "SPARK_APPLICATION_ID", "spark-app-1",
            "SPARK_EXECUTOR_POD_IP", "10.1.2.3", "SPARK_RESOURCE_PROFILE_ID", "0", "SPARK_EXECUTOR_POD_NAME",
            "refresh-exec-3"), "executor");
    assertEquals(0, r.exit(), r.all());
    String spark = tmp.resolve("spark") + "/conf:" + tmp.resolve("spark") + "/jars/*";
    assertEquals(List.of("java", "-Dspark.driver.port=7078", "-Xss4m -Dorg.bytedeco.javacpp.maxbytes=8192m",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xms8g", "-Xmx8g", "-cp", spark,
        "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend",
        "--driver-url", "spark://CoarseGrainedScheduler@driver-svc:7078", "--executor-id", "3", "--cores", "8",
        "--app-id", "spark-app-1", "--hostname", "10.1.2.3", "--resourceProfileId", "0", "--podName",
        "refresh-exec-3"), r.out().lines().toList());
  }

  @Test
  void anExecutorWithoutItsEnvironmentFailsNamingTheVariable() {
    Deploy.Run r = entrypoint(Map.of("SPARK_EXECUTOR_MEMORY", "8g"), "executor");
    assertTrue(r.exit() != 0);
    assertTrue(r.err().contains("SPARK_DRIVER_URL"), r.err());
  }

  @Test
  void aDriverPodRunsSparkSubmitInClientModeBoundToItsAddress() {
    Deploy.Run r = entrypoint(Map.of("SPARK_DRIVER_BIND_ADDRESS", "10.1.2.4"), "driver", "--properties-file",
        "/opt/spark/conf/spark.properties", "--class", "org.cascadetuner.cli.CascadeTuner", "local:///app.jar", "train");
    assertEquals(0, r.exit(), r.all());
    assertEquals(List.of("spark-submit", "--deploy-mode", "client", "--conf", "spark.driver.bindAddress=10.1.2.4",
        "--properties-file", "/opt/spark/conf/spark.properties", "--class", "org.cascadetuner.cli.CascadeTuner",
        "local:///app.jar", "train"), r.out().lines().toList());
  }

  @Test
  void cascadeTunerCommandsRunOnTheImagesSparkClasspath() {
    Deploy.Run r = entrypoint(Map.of("CASCADE_TUNER_JAVA_OPTS", "-Xmx2g"), "cascade-tuner", "config", "check");
    assertEquals(0, r.exit(), r.all());
    List<String> cmd = r.out().lines().toList();
    assertEquals(List.of("java", "-Xmx2g", "@/opt/cascade-tuner/conf/driver-java17.args", "-cp",
        "/opt/cascade-tuner/cascade-tuner-app.jar:" + tmp.resolve("spark") + "/conf:" + tmp.resolve("spark") + "/jars/*",
        "org.cascadetuner.cli.CascadeTuner", "config", "check"), cmd);
  }

  @Test
  void anythingElseRunsAsGiven() {
    Deploy.Run r = entrypoint(Map.of(), "echo", "hello");
    assertEquals(0, r.exit());
    assertEquals("hello\n", r.out());
  }
}
