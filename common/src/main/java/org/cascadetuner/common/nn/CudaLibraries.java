package org.cascadetuner.common.nn;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where the shared libraries a GPU backend needs are on this machine: in the directories the dynamic loader searches
 * (LD_LIBRARY_PATH, CUDA_HOME, /usr/local/cuda, the system library folders, the ldconfig cache) or inside a JavaCPP
 * {@code -redist} jar on the class path, from which JavaCPP extracts them.
 */
public record CudaLibraries(String label, Map<String, String> found, List<String> missing, List<Path> searched) {

  /** The CUDA 13 set of the {@code cuda} backend (JavaCPP's CUDA presets: cuBLAS/cuBLASLt, cuDNN 9, NVRTC). */
  public static final List<String> CUDA_13 = List.of(
      "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libnvrtc.so.13", "libcudnn.so.9");

  /** The CUDA 11 set of ND4J's {@code nd4j-cuda-11.6} backend. */
  public static final List<String> CUDA_11 = List.of("libcudart.so.11.0", "libcublas.so.11", "libcusolver.so.11");

  public CudaLibraries {
    found = Map.copyOf(found);
    missing = List.copyOf(missing);
    searched = List.copyOf(searched);
  }

  public boolean complete() {
    return missing.isEmpty();
  }

  public static CudaLibraries find(String label, List<String> names) {
    return find(label, names, defaultDirs(System.getenv()), ldconfigCache(), CudaLibraries.class.getClassLoader());
  }

  static CudaLibraries find(String label, List<String> names, List<Path> dirs, Map<String, Path> ldconfig,
      ClassLoader jars) {
    Map<String, String> found = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      Optional<String> where = dirs.stream().map(d -> d.resolve(name)).filter(Files::exists).findFirst()
          .map(Path::toString);
      if (where.isEmpty() && ldconfig.containsKey(name)) where = Optional.of(ldconfig.get(name).toString());
      if (where.isEmpty() && jars.getResource("org/bytedeco/cuda/linux-x86_64/" + name) != null)
        where = Optional.of("the class path (JavaCPP redist jar)");
      if (where.isPresent()) found.put(name, where.get());
      else missing.add(name);
    }
    return new CudaLibraries(label, found, missing, dirs);
  }

  static List<Path> defaultDirs(Map<String, String> env) {
    Set<Path> dirs = new LinkedHashSet<>();
    for (String var : List.of("LD_LIBRARY_PATH")) {
      String v = env.get(var);
      if (v == null) continue;
      for (String d : v.split(File.pathSeparator)) if (!d.isBlank()) dirs.add(Path.of(d));
    }
    for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
      String v = env.get(var);
      if (v != null && !v.isBlank()) {
        dirs.add(Path.of(v, "lib64"));
        dirs.add(Path.of(v, "targets", "x86_64-linux", "lib"));
      }
    }
    for (String d : List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib",
        "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib/x86_64-linux-gnu")) {
      dirs.add(Path.of(d));
    }
    return List.copyOf(dirs);
  }

  /** Library name to path from {@code ldconfig -p} (empty when ldconfig is not there). */
  static Map<String, Path> ldconfigCache() {
    for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
      if (!Files.isExecutable(Path.of(ldconfig))) continue;
      try {
        Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        return parseLdconfig(out);
      } catch (IOException e) {
        return Map.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Map.of();
      }
    }
    return Map.of();
  }

  /** Lines such as {@code \tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.13}. */
  static Map<String, Path> parseLdconfig(String out) {
    Map<String, Path> m = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      int arrow = line.indexOf("=>");
      if (arrow < 0) continue;
      String left = line.substring(0, arrow).strip();
      int space = left.indexOf(' ');
      String name = space < 0 ? left : left.substring(0, space);
      m.putIfAbsent(name, Path.of(line.substring(arrow + 2).strip()));
    }
    return m;
  }
}
