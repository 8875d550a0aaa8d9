package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The SPARK_HOME a user gets from {@code deploy/spark-home.sh}, built once per test JVM under target/it/ (Maven
 * Central jars, no link to the test classpath), and the application jar the build just shaded.
 */
final class SparkDistribution {
  private static Path home;

  private SparkDistribution() {}

  static synchronized Path home() {
    if (home != null) return home;
    Path dest = Path.of("target", "it", "spark-home").toAbsolutePath();
    Deploy.Run r = Deploy.run(List.of("/bin/bash", Deploy.file("deploy/spark-home.sh").toString(), dest.toString()),
        Map.of(), Deploy.root());
    assertEquals(0, r.exit(), "deploy/spark-home.sh failed:\n" + r.all());
    assertTrue(Files.isExecutable(dest.resolve("bin/spark-submit")), "no bin/spark-submit in " + dest);
    home = dest;
    return home;
  }

  static Path appJar() {
    Path jar = Path.of(System.getProperty("cascadetuner.app.jar", "target/missing-app.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the application jar is missing: " + jar + " (mvn package builds it)");
    return jar;
  }

  static List<Path> sparkJars() {
    try (var s = Files.list(home().resolve("jars"))) {
      return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
