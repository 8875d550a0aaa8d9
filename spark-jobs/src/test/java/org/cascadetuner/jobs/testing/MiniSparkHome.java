package org.cascadetuner.jobs.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A SPARK_HOME for Master, Worker and executor JVMs in tests, made of links to the jars the test JVM already runs
 * with (so it always matches the pinned Spark version and costs no download). {@code deploy/spark-home.sh} builds the
 * same layout from Maven Central for users.
 */
public final class MiniSparkHome {
  private final Path home;
  private final List<String> classDirs;

  private MiniSparkHome(Path home, List<String> classDirs) {
    this.home = home;
    this.classDirs = classDirs;
  }

  /** Builds (or reuses) the home under {@code dir}: jars/ linked from the classpath, RELEASE, conf/log4j2.properties. */
  public static synchronized MiniSparkHome create(Path dir) {
    try {
      Path jars = Files.createDirectories(dir.resolve("jars"));
      Set<String> names = new LinkedHashSet<>();
      List<String> classDirs = new ArrayList<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path p = Path.of(entry);
        if (Files.isDirectory(p)) {
          classDirs.add(p.toAbsolutePath().toString());
        } else if (entry.endsWith(".jar") && Files.isRegularFile(p) && !isTestTooling(p)) {
          String name = p.getFileName().toString();
          if (!names.add(name)) continue;
          Path link = jars.resolve(name);
          if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, p.toAbsolutePath());
          }
        }
      }
      Files.writeString(dir.resolve("RELEASE"), "Spark (cascade-tuner test home, jars linked from the test classpath)\n");
      Path conf = Files.createDirectories(dir.resolve("conf"));
      Files.writeString(conf.resolve("log4j2.properties"), String.join("\n",
          "rootLogger.level = warn",
          "rootLogger.appenderRef.stdout.ref = console",
          "appender.console.type = Console",
          "appender.console.name = console",
          "appender.console.target = SYSTEM_ERR",
          "appender.console.layout.type = PatternLayout",
          "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n",
          "logger.master.name = org.apache.spark.deploy.master.Master",
          "logger.master.level = info",
          "logger.cascadetuner.name = org.cascadetuner",
          "logger.cascadetuner.level = info") + "\n");
      return new MiniSparkHome(dir.toAbsolutePath(), classDirs);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the test SPARK_HOME in " + dir, e);
    }
  }

  // JUnit and surefire stay out of executors.
  private static boolean isTestTooling(Path jar) {
    String n = jar.getFileName().toString();
    return n.startsWith("junit-") || n.startsWith("surefire") || n.startsWith("opentest4j")
        || n.startsWith("apiguardian") || n.startsWith("common-java5") || n.startsWith("common-junit");
  }

  public Path home() {
    return home;
  }

  /** The test JVM's class directories (our modules' target/classes), for {@code spark.executor.extraClassPath}. */
  public String executorExtraClassPath() {
    return String.join(File.pathSeparator, classDirs);
  }
}
