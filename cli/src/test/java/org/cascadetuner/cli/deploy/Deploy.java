package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/** Helpers of the deploy tests: the checkout's files, running scripts, the build's pinned versions. */
final class Deploy {
  private Deploy() {}

  /** The repository root (the folder holding deploy/spark-home.sh), found upwards from the working directory. */
  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("deploy/spark-home.sh"))) p = p.getParent();
    if (p == null) throw new IllegalStateException("no deploy/spark-home.sh above " + Path.of("").toAbsolutePath());
    return p;
  }

  static Path file(String relative) {
    Path f = root().resolve(relative);
    assertTrue(Files.exists(f), relative + " is missing");
    return f;
  }

  static String read(String relative) {
    try {
      return Files.readString(file(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A property of the parent pom, e.g. {@code spark.version}. */
  static String pomProperty(String name) {
    return pomProperty("pom.xml", name);
  }

  static String pomProperty(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]*)</" + Pattern.quote(name) + ">").matcher(read(pom));
    if (!m.find()) throw new IllegalStateException(pom + " has no property " + name);
    return m.group(1).strip();
  }

  record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Run run(List<String> command, Map<String, String> env, Path dir) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
      pb.environment().putAll(env);
      Path out = Files.createTempFile("deploy-out", ".txt");
      Path err = Files.createTempFile("deploy-err", ".txt");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
          Path.of("/dev/null").toFile()));
      Process p = pb.start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
      Files.delete(out);
      Files.delete(err);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Path executable(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The path of a tool the test needs. CI (CI=true) installs every tool in .ci/run, so there a missing tool fails;
   * elsewhere the test is skipped with the install command.
   */
  static Path tool(String name, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) return p;
    }
    String msg = name + " is not installed (apt-get install " + debianPackage + ")";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new IllegalStateException(msg + "; .ci/run installs it");
    Assumptions.abort(msg);
    throw new AssertionError("unreachable");
  }

  /** Shell scripts of the deployment (and the launcher), relative to the root. */
  static List<String> shellScripts() {
    List<String> all = new ArrayList<>(List.of("bin/cascade-tuner"));
    try (var s = Files.walk(root().resolve("deploy"))) {
      s.filter(p -> p.toString().endsWith(".sh")).map(p -> root().relativize(p).toString()).sorted().forEach(all::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all;
  }
}
