package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SPARK_HOME deploy/spark-home.sh assembles: the pinned Spark, s3a, and scripts that pass shellcheck. */
class SparkHomeIT {

  @Test
  void itHoldsThePinnedSparkWithS3a() throws IOException {
    Path home = SparkDistribution.home();
    String release = Files.readString(home.resolve("RELEASE"));
    assertTrue(release.startsWith("Spark " + Deploy.pomProperty("spark.version") + " (Scala 2.12)"), release);
    List<String> artifacts = Files.readAllLines(home.resolve("ARTIFACTS"));
    for (String a : List.of("org.apache.spark:spark-core_2.12:jar:" + Deploy.pomProperty("spark.version"),
        "org.apache.hadoop:hadoop-aws:jar:" + Deploy.pomProperty("hadoop.version"), "com.amazonaws:aws-java-sdk-s3:jar:")) {
      assertTrue(artifacts.stream().anyMatch(l -> l.strip().startsWith(a)), a + " missing from ARTIFACTS");
    }
    assertTrue(Files.isRegularFile(home.resolve("conf/log4j2.properties")));
  }

  @Test
  void itsScriptsPassShellcheck() throws IOException {
    Path home = SparkDistribution.home();
    Path shellcheck = Deploy.tool("shellcheck", "shellcheck");
    List<String> cmd = new ArrayList<>(List.of(shellcheck.toString(), "--severity=warning", "--format=gcc"));
    for (String dir : List.of("bin", "sbin")) {
      try (var s = Files.list(home.resolve(dir))) {
        s.sorted().forEach(p -> cmd.add(p.toString()));
      }
    }
    assertTrue(cmd.size() >= 3 + 5, cmd.toString());
    Deploy.Run r = Deploy.run(cmd, Map.of(), home);
    assertEquals(0, r.exit(), r.all());
  }
}
