package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application jar against a SPARK_HOME from deploy/spark-home.sh: nothing Spark ships is inside it, every class
 * our runtime classpath needs is inside it or in Spark, service files are merged, natives are Linux x86-64 only,
 * signatures are gone, and the manifest starts the command line with Spark's module opens.
 */
class AppJarIT {
  static Path jar;
  static Set<String> entries;
  static List<Path> classpath;
  static List<String> sparkJarNames;
  static Set<String> sparkArtifacts;
  static Set<String> sparkClasses;

  @BeforeAll
  static void read() throws IOException {
    jar = SparkDistribution.appJar();
    entries = names(jar);
    Path cpFile = Path.of(System.getProperty("cascadetuner.classpath.file", "target/classpath.txt"));
    classpath = Arrays.stream(Files.readString(cpFile).strip().split(":")).map(Path::of).toList();
    sparkJarNames = SparkDistribution.sparkJars().stream().map(p -> p.getFileName().toString()).toList();
    sparkArtifacts = readSparkArtifacts();
    sparkClasses = new HashSet<>();
    for (Path j : SparkDistribution.sparkJars()) names(j).stream().filter(AppJarIT::isClass).forEach(sparkClasses::add);
    System.out.printf("application jar: %s, %.1f MB, %d entries; runtime classpath %d jars; Spark %d jars%n",
        jar.getFileName(), Files.size(jar) / 1e6, entries.size(), classpath.size(), sparkJarNames.size());
  }

  static Set<String> names(Path zip) throws IOException {
    try (ZipFile z = new ZipFile(zip.toFile())) {
      return z.stream().map(ZipEntry::getName).collect(Collectors.toCollection(HashSet::new));
    }
  }

  static boolean isClass(String name) {
    return name.endsWith(".class") && !name.endsWith("module-info.class") && !name.startsWith("META-INF/");
  }

  /**
   * groupId:artifactId[:classifier] of a jar in the local Maven repository
   * (…/group/path/artifactId/version/artifactId-version[-classifier].jar); empty for this build's own modules.
   */
  static Optional<String> coordinates(Path jar) {
    Path repo = Path.of(System.getProperty("cascadetuner.m2.repository", System.getProperty("user.home")
        + "/.m2/repository")).toAbsolutePath();
    if (!jar.toAbsolutePath().startsWith(repo)) return Optional.empty();
    Path rel = repo.relativize(jar.toAbsolutePath());
    int n = rel.getNameCount();
    if (n < 4) return Optional.empty();
    String artifactId = rel.getName(n - 3).toString();
    String version = rel.getName(n - 2).toString();
    String group = rel.subpath(0, n - 3).toString().replace('/', '.');
    String file = rel.getFileName().toString();
    String prefix = artifactId + "-" + version;
    if (!file.startsWith(prefix) || !file.endsWith(".jar")) return Optional.empty();
    String classifier = file.substring(prefix.length(), file.length() - 4).replaceFirst("^-", "");
    return Optional.of(group + ":" + artifactId + (classifier.isEmpty() ? "" : ":" + classifier));
  }

  /** The same coordinates for every jar of the SPARK_HOME, from the ARTIFACTS list deploy/spark-home.sh writes. */
  static Set<String> readSparkArtifacts() throws IOException {
    Set<String> all = new TreeSet<>();
    for (String line : Files.readAllLines(SparkDistribution.home().resolve("ARTIFACTS"))) {
      String[] f = line.strip().split("\\s+")[0].split(":");
      if (f.length == 5) all.add(f[0] + ":" + f[1]);
      if (f.length == 6) all.add(f[0] + ":" + f[1] + ":" + f[3]);
    }
    assertEquals(sparkJarNames.size(), all.size(), "ARTIFACTS and jars/ disagree");
    return all;
  }

  static boolean inSpark(Path jar) {
    return coordinates(jar).map(sparkArtifacts::contains).orElse(false);
  }

  @Test
  void nothingSparkShipsIsInsideAndEverythingElseIs() throws IOException {
    List<String> leaked = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Path cp : classpath) {
      if (!cp.toString().endsWith(".jar")) continue;
      boolean provided = inSpark(cp);
      Set<String> classes = names(cp).stream().filter(AppJarIT::isClass).collect(Collectors.toSet());
      long inside = classes.stream().filter(entries::contains).count();
      if (provided && inside > 0) leaked.add(cp.getFileName() + " (" + inside + " classes)");
      // a class of ours may also come from Spark (ND4J's Guava carries jsr305, which Spark ships)
      List<String> absent = classes.stream().filter(c -> !entries.contains(c) && !sparkClasses.contains(c)).sorted()
          .toList();
      if (!provided && !absent.isEmpty()) missing.add(cp.getFileName() + " (" + absent.size() + " of " + classes.size()
          + " classes, e.g. " + absent.get(0) + ")");
    }
    assertEquals(List.of(), leaked, "Spark ships these; leave them out of the shade includes in cli/pom.xml");
    assertEquals(List.of(), missing, "Spark does not ship these; add them to the shade includes in cli/pom.xml");
  }

  @Test
  void serviceFilesOfTheIncludedJarsAreMergedWhole() throws IOException {
    try (JarFile app = new JarFile(jar.toFile())) {
      for (Path cp : classpath) {
        if (!cp.toString().endsWith(".jar") || inSpark(cp)) continue;
        try (ZipFile z = new ZipFile(cp.toFile())) {
          for (ZipEntry e : z.stream().filter(e -> e.getName().startsWith("META-INF/services/") && !e.isDirectory())
              .toList()) {
            ZipEntry merged = app.getEntry(e.getName());
            assertTrue(merged != null, e.getName() + " of " + cp.getFileName() + " is missing");
            Set<String> want = providers(z.getInputStream(e));
            Set<String> have = providers(app.getInputStream(merged));
            assertTrue(have.containsAll(want), e.getName() + ": " + cp.getFileName() + " lists " + want
                + ", the application jar " + have);
          }
        }
      }
      Set<String> backends = providers(app.getInputStream(app.getEntry(
          "META-INF/services/org.cascadetuner.common.nn.BackendProvider")));
      assertTrue(backends.contains("org.cascadetuner.common.nn.nd4j.Nd4jBackendProvider"), backends.toString());
    }
  }

  static Set<String> providers(InputStream in) throws IOException {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(l -> l.replaceAll("#.*", "").strip())
          .filter(l -> !l.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
    }
  }

  @Test
  void nativeLibrariesAreForLinuxX8664Only() {
    Pattern lib = Pattern.compile(".*\\.(so(\\.\\d+)*|dll|dylib|jnilib|a)$");
    Set<String> natives = entries.stream().filter(n -> lib.matcher(n).matches()).collect(Collectors.toCollection(TreeSet::new));
    assertTrue(natives.contains("org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libnd4jcpu.so"), natives.toString());
    assertTrue(natives.contains("org/bytedeco/openblas/linux-x86_64/libopenblas.so.0"), natives.toString());
    for (String n : natives) {
      assertTrue(n.contains("/linux-x86_64/") || n.contains("/linux-x86-64/"), "a native library for another platform: " + n);
    }
  }

  @Test
  void signaturesAreStrippedAndTheManifestStartsTheCommandLine() throws IOException {
    for (String n : entries) {
      assertTrue(!n.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)"), "signature file " + n + " would fail verification");
    }
    try (JarFile app = new JarFile(jar.toFile())) {
      Attributes main = app.getManifest().getMainAttributes();
      assertEquals("org.cascadetuner.cli.CascadeTuner", main.getValue("Main-Class"));
      Set<String> opens = new TreeSet<>(Arrays.asList(main.getValue("Add-Opens").split(" ")));
      Set<String> flags = Arrays.stream(Deploy.pomProperty("spark.jvm.flags").split("\\s+"))
          .filter(f -> f.startsWith("--add-opens=")).map(f -> f.substring(12).replace("=ALL-UNNAMED", ""))
          .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(flags, opens);
    }
  }

  @Test
  void itCarriesNoLoggingConfigurationThatWouldOverrideTheClusters() {
    for (String n : entries) {
      assertTrue(!n.matches("(log4j2?(-test)?|logback(-test)?)\\.(properties|xml|json|ya?ml)"),
          n + " would replace the cluster's logging set-up (SPARK_HOME/conf)");
    }
  }

  @Test
  void theJarNamesTheBuiltVersion() {
    Matcher m = Pattern.compile("cascade-tuner-(.+)-app\\.jar").matcher(jar.getFileName().toString());
    assertTrue(m.matches(), jar.toString());
    assertEquals(Deploy.pomProperty("cli/pom.xml", "version"), m.group(1));
  }
}
