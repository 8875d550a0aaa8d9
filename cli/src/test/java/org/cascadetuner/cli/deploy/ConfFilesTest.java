package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** conf/: Spark defaults, RAPIDS settings and the driver's JVM argument file, checked against the build. */
class ConfFilesTest {

  @Test
  void sparkDefaultsHoldOnlySparkSettingsAndNoSecretsOrRapids() {
    Map<String, String> d = SparkProperties.parse(Deploy.read("conf/spark-defaults.conf"));
    assertFalse(d.isEmpty());
    for (var e : d.entrySet()) {
      assertTrue(e.getKey().startsWith("spark."), "not a Spark setting: " + e.getKey());
      assertFalse(e.getValue().isEmpty(), e.getKey() + " has no value");
      String k = e.getKey().toLowerCase();
      assertFalse(k.contains("secret") || k.contains("access.key") || k.contains("password") || k.contains("token"),
          "credentials do not belong in spark-defaults.conf: " + e.getKey());
      assertFalse(k.startsWith("spark.plugins") || k.startsWith("spark.rapids."),
          "RAPIDS settings belong in conf/rapids.conf (GPU clusters only): " + e.getKey());
    }
    // the barrier stages of the trainer cannot run with dynamic allocation
    assertEquals("false", d.get("spark.dynamicAllocation.enabled"));
    assertEquals("zstd", d.get("spark.sql.parquet.compression.codec"));
  }

  @Test
  void rapidsSettingsEnableThePluginAndLeaveGpuMemoryToTheModels() {
    Map<String, String> r = SparkProperties.parse(Deploy.read("conf/rapids.conf"));
    assertEquals("com.nvidia.spark.SQLPlugin", r.get("spark.plugins"));
    for (String k : r.keySet()) {
      assertTrue(k.equals("spark.plugins") || k.startsWith("spark.rapids."), "unexpected setting " + k);
    }
    double min = Double.parseDouble(r.get("spark.rapids.memory.gpu.minAllocFraction"));
    double alloc = Double.parseDouble(r.get("spark.rapids.memory.gpu.allocFraction"));
    double max = Double.parseDouble(r.get("spark.rapids.memory.gpu.maxAllocFraction"));
    // RAPIDS requires min <= alloc <= max; below 1 leaves GPU memory for the model stages
    assertTrue(min <= alloc && alloc <= max && max < 1, min + " " + alloc + " " + max);
  }

  @Test
  void theRapidsReleaseSupportsThePinnedSpark() {
    String fetch = Deploy.read("deploy/fetch-rapids.sh");
    assertTrue(fetch.contains("version=25.04.0"), "deploy/fetch-rapids.sh pins another RAPIDS release");
    assertTrue(fetch.contains("maven-install-plugin:3.1.2:install-file"), "the stub parent POM install is missing");
    // RAPIDS 25.04.0 carries shims for Spark 3.5.0 to 3.5.5 and refuses later 3.5.x at start-up (spec stack §6)
    String spark = Deploy.pomProperty("spark.version");
    assertTrue(spark.matches("3\\.5\\.[0-5]"), "spark.version " + spark + " is beyond RAPIDS 25.04.0's 3.5.5");
  }

  @Test
  void driverArgFileOpensWhatSparkOpensAndTheJarManifestToo() {
    Set<String> fromPom = Arrays.stream(Deploy.pomProperty("spark.jvm.flags").split("\\s+"))
        .filter(f -> f.startsWith("--add-opens=")).map(f -> f.substring("--add-opens=".length()))
        .collect(Collectors.toCollection(TreeSet::new));
    assertFalse(fromPom.isEmpty());
    Set<String> fromArgs = Deploy.read("conf/driver-java17.args").lines().map(String::strip)
        .filter(l -> l.startsWith("--add-opens=")).map(l -> l.substring("--add-opens=".length()))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(fromPom, fromArgs);
    Set<String> manifest = Arrays.stream(Deploy.pomProperty("cli/pom.xml", "app.jar.add.opens").split("\\s+"))
        .map(m -> m + "=ALL-UNNAMED").collect(Collectors.toCollection(TreeSet::new));
    assertEquals(fromPom, manifest);
  }

  @Test
  void theJvmAcceptsTheDriverArgFile() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Deploy.Run r = Deploy.run(List.of(java, "@" + Deploy.file("conf/driver-java17.args"),
        "-XshowSettings:properties", "-version"), Map.of(), Deploy.root());
    assertEquals(0, r.exit(), r.all());
    assertTrue(r.err().contains("jdk.reflect.useDirectMethodHandle = false"), "the argument file was not read");
  }
}
