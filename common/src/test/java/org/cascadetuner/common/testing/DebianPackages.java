package org.cascadetuner.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian packages as test data nobody here made: fetched once with {@code apt-get download}, unpacked with
 * {@code dpkg -x} into {@code ~/.cache/cascade-tuner/debian/<package>/} and reused by every later run (a marker
 * file says the unpacking finished). A machine without apt fails the test with a message saying what to install;
 * it never skips, since CI installs Debian packages.
 */
public final class DebianPackages {
  private DebianPackages() {}

  /** Overrides the skimage data folder (for a machine without apt that has the files some other way). */
  public static final String SKIMAGE_ENV = "CASCADETUNER_SKIMAGE_DATA";

  /** The {@code skimage/data} folder of Debian's python3-skimage: photographs and awkward image files. */
  public static Path skimageData() {
    String env = System.getenv(SKIMAGE_ENV);
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isDirectory(p)) throw new IllegalStateException(SKIMAGE_ENV + "=" + env + " is not a folder");
      return p;
    }
    Path root = unpacked("python3-skimage");
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.endsWith(Path.of("skimage", "data")) && Files.isDirectory(p)).findFirst()
          .orElseThrow(() -> new IllegalStateException("python3-skimage unpacked into " + root
              + " but holds no skimage/data folder"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The root of the unpacked package (its files under usr/...). */
  public static synchronized Path unpacked(String pkg) {
    Path dir = cacheRoot().resolve(pkg);
    Path done = dir.resolve(".unpacked");
    if (Files.isRegularFile(done)) return dir.resolve("root");
    Path work = null;
    try {
      Files.createDirectories(cacheRoot());
      work = Files.createTempDirectory(cacheRoot(), pkg + ".");
      run(work, List.of("apt-get", "download", pkg), pkg);
      Path deb;
      try (Stream<Path> s = Files.list(work)) {
        deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElse(null);
      }
      if (deb == null) throw new IllegalStateException("apt-get download " + pkg + " left no .deb in " + work);
      run(work, List.of("dpkg", "-x", deb.toString(), work.resolve("root").toString()), pkg);
      Files.delete(deb);
      Files.writeString(work.resolve(".unpacked"), deb.getFileName() + "\n");
      if (Files.exists(dir)) deleteTree(dir);
      Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
      work = null;
      return dir.resolve("root");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot fetch Debian package " + pkg + " into " + dir, e);
    } finally {
      if (work != null) deleteQuietly(work);
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException | UncheckedIOException e) {
      // a half-made folder in the cache is harmless: the marker file is what counts
    }
  }

  private static Path cacheRoot() {
    return Path.of(System.getProperty("user.home"), ".cache", "cascade-tuner", "debian");
  }

  private static void run(Path dir, List<String> command, String pkg) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + " could not start (" + e.getMessage()
          + "). These tests read files from Debian's " + pkg + " package: run them on Debian/Ubuntu with apt,"
          + " or point " + SKIMAGE_ENV + " at a skimage/data folder.", e);
    }
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " took over 10 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
          + output.strip() + "\nThese tests read files from Debian's " + pkg + " package; `apt-get update` may be"
          + " needed first, or point " + SKIMAGE_ENV + " at a skimage/data folder.");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
