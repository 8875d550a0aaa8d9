package org.cascadetuner.common.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The NVIDIA GPUs this process can see, as {@code nvidia-smi} reports them. Empty, with the reason, on a machine
 * without the NVIDIA driver. Under Spark and Kubernetes the device plugin or CUDA_VISIBLE_DEVICES has already narrowed
 * the list to this container's GPUs.
 */
public record GpuInventory(List<Gpu> gpus, String problem) {

  /** One GPU. {@code ccMajor}/{@code ccMinor} are -1 when the driver is too old to report the compute capability. */
  public record Gpu(int index, String name, int ccMajor, int ccMinor, long memoryMib) {
    public boolean capabilityKnown() {
      return ccMajor >= 0;
    }

    /** e.g. {@code 9.0}, or {@code unknown}. */
    public String computeCapability() {
      return capabilityKnown() ? ccMajor + "." + ccMinor : "unknown";
    }

    /** Whether machine code for {@code sm_<major><minor>} at most runs here (no PTX to compile for newer GPUs). */
    public boolean atMost(int major, int minor) {
      return ccMajor < major || (ccMajor == major && ccMinor <= minor);
    }

    public String describe() {
      return "GPU " + index + " " + name + " (compute capability " + computeCapability() + ", " + memoryMib + " MiB)";
    }
  }

  public GpuInventory {
    gpus = List.copyOf(gpus);
  }

  public boolean isEmpty() {
    return gpus.isEmpty();
  }

  /** Asks the {@code nvidia-smi} found on PATH. */
  public static GpuInventory probe() {
    return probe(onPath("nvidia-smi"));
  }

  public static GpuInventory probe(Optional<Path> nvidiaSmi) {
    if (nvidiaSmi.isEmpty()) return new GpuInventory(List.of(), "nvidia-smi is not on PATH (no NVIDIA driver here)");
    Path smi = nvidiaSmi.get();
    Result full = run(smi, "--query-gpu=index,name,compute_cap,memory.total", "--format=csv,noheader,nounits");
    if (full.ok()) return parse(full.out(), true);
    // drivers before 510 do not know compute_cap
    Result basic = run(smi, "--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits");
    if (basic.ok()) return parse(basic.out(), false);
    return new GpuInventory(List.of(), smi + " failed: " + full.out().strip());
  }

  /** Lines of {@code index, name[, compute_cap], memory.total} as nvidia-smi prints them with csv,noheader,nounits. */
  static GpuInventory parse(String csv, boolean withCapability) {
    List<Gpu> gpus = new ArrayList<>();
    for (String line : csv.split("\n")) {
      if (line.isBlank()) continue;
      String[] f = line.split(",");
      int expected = withCapability ? 4 : 3;
      if (f.length < expected) return new GpuInventory(List.of(), "unexpected nvidia-smi output: " + line.strip());
      try {
        int index = Integer.parseInt(f[0].strip());
        // a GPU name may itself contain commas: it is everything between the first and the trailing fields
        String name = String.join(",", java.util.Arrays.copyOfRange(f, 1, f.length - (expected - 2))).strip();
        long memory = Long.parseLong(f[f.length - 1].strip());
        int major = -1;
        int minor = -1;
        if (withCapability) {
          String[] cc = f[f.length - 2].strip().split("\\.");
          major = Integer.parseInt(cc[0]);
          minor = cc.length > 1 ? Integer.parseInt(cc[1]) : 0;
        }
        gpus.add(new Gpu(index, name, major, minor, memory));
      } catch (NumberFormatException e) {
        return new GpuInventory(List.of(), "unexpected nvidia-smi output: " + line.strip());
      }
    }
    return new GpuInventory(gpus, gpus.isEmpty() ? "nvidia-smi lists no GPU" : "");
  }

  static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) return Optional.empty();
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, program);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }

  private record Result(boolean ok, String out) {}

  private static Result run(Path program, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(program.toString());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(false, "no answer in 30 s");
      }
      return new Result(p.exitValue() == 0, new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(false, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException("interrupted while running " + program, e));
    }
  }
}
