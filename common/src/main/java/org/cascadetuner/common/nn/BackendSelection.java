package org.cascadetuner.common.nn;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.cascadetuner.common.config.ModelSettings.ComputeBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of {@code compute_backend}: before any model is loaded, find out whether the chosen backend can
 * run on this machine, and say in one log line what runs where (backend, device, threads). When it cannot, fail with
 * an error that names the key, the value, the reason, the allowed values and those that would work here.
 *
 * <p>Why a backend may not run (DESIGN.md, "The engine"): {@code nd4j-cuda} (ND4J 1.0.0-M2.1, CUDA 11.6) carries
 * machine code for compute capability 3.7 to 8.6 and no PTX, so Hopper (9.0), Ada (8.9) and Blackwell cannot run it;
 * {@code cuda} needs the CUDA 13 libraries, and CUDA 13 supports compute capability 7.5 and newer.
 */
public final class BackendSelection {
  private static final Logger LOG = LoggerFactory.getLogger(BackendSelection.class);

  public static final String KEY = "compute_backend";

  private BackendSelection() {}

  /** The backends a build carries (by the names {@code compute_backend} uses) and whether their natives load. */
  public interface Catalog {
    List<String> names();

    boolean loads(String name);

    /**
     * The providers on the class path ({@code META-INF/services}); a backend "loads" when {@link Backends#get} can
     * create it, which initialises its native libraries.
     */
    static Catalog installed() {
      Map<String, BackendProvider> providers = new TreeMap<>();
      for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) providers.put(p.name(), p);
      return new Catalog() {
        @Override
        public List<String> names() {
          return List.copyOf(providers.keySet());
        }

        @Override
        public boolean loads(String name) {
          BackendProvider p = providers.get(name);
          if (p == null || !p.available()) return false;
          try {
            Backends.get(name);
            return true;
          } catch (RuntimeException | LinkageError e) {
            LOG.warn("backend {} does not load: {}", name, e.toString());
            return false;
          }
        }
      };
    }
  }

  /** What this machine offers a backend. */
  public record Machine(String host, String cpu, int threads, String threadsFrom, GpuInventory gpus,
      CudaLibraries cuda13, CudaLibraries cuda11) {

    public static Machine probe() {
      int[] threads = {Runtime.getRuntime().availableProcessors()};
      String from = ompThreads(System.getenv("OMP_NUM_THREADS"), threads);
      return new Machine(hostName(), cpuModel(), threads[0], from, GpuInventory.probe(),
          CudaLibraries.find("CUDA 13", CudaLibraries.CUDA_13), CudaLibraries.find("CUDA 11", CudaLibraries.CUDA_11));
    }

    // libnd4j sizes its OpenMP pool from OMP_NUM_THREADS, else from the cores it sees
    static String ompThreads(String env, int[] threads) {
      if (env != null && env.strip().matches("[1-9][0-9]*")) {
        threads[0] = Integer.parseInt(env.strip());
        return "OMP_NUM_THREADS";
      }
      return "all cores";
    }
  }

  /** The backend that will run, and on what. */
  public record Choice(String backend, String device, int threads, String threadsFrom, String host) {
    public String logLine() {
      return "compute backend " + backend + " on " + host + ": " + device + "; " + threads
          + (threads == 1 ? " CPU thread (" : " CPU threads (") + threadsFrom + ")";
    }
  }

  /** The chosen backend cannot run here; the message says why and what to choose instead. */
  public static final class Unavailable extends IllegalStateException {
    private final ComputeBackend value;

    Unavailable(ComputeBackend value, String message) {
      super(message);
      this.value = value;
    }

    public ComputeBackend value() {
      return value;
    }
  }

  /**
   * The backend {@code compute_backend} names, after checking it against this build and machine and logging the one
   * line; throws {@link Unavailable} when it cannot run here.
   */
  public static Backend open(ComputeBackend value) {
    return Backends.get(select(value, Catalog.installed(), Machine.probe()).backend());
  }

  /** Checks {@code value} against this build and machine and logs the one line; throws {@link Unavailable}. */
  public static Choice select(ComputeBackend value, Catalog catalog, Machine machine) {
    Choice c = check(value, catalog, machine);
    LOG.info(c.logLine());
    return c;
  }

  public static Choice check(ComputeBackend value, Catalog catalog, Machine machine) {
    Optional<String> problem = problem(value, catalog, machine);
    if (problem.isPresent()) {
      List<String> working = Arrays.stream(ComputeBackend.values())
          .filter(v -> problem(v, catalog, machine).isEmpty()).map(ComputeBackend::spelling).toList();
      throw new Unavailable(value, KEY + " = " + value.spelling() + ": " + problem.get() + ". Allowed values: "
          + allowed() + "; " + (working.isEmpty() ? "none of them runs on this machine" : "on this machine: "
          + String.join(", ", working)) + ".");
    }
    String device = value == ComputeBackend.CPU ? machine.cpu() : describe(machine.gpus());
    return new Choice(value.spelling(), device, machine.threads(), machine.threadsFrom(), machine.host());
  }

  static String allowed() {
    return Arrays.stream(ComputeBackend.values()).map(ComputeBackend::spelling).collect(Collectors.joining(", "));
  }

  /** Why {@code value} cannot run here, or empty when it can. Hardware first, then libraries, then the build. */
  static Optional<String> problem(ComputeBackend value, Catalog catalog, Machine m) {
    String name = value.spelling();
    switch (value) {
      case CPU -> { }
      case ND4J_CUDA -> {
        if (m.gpus().isEmpty()) return Optional.of("no NVIDIA GPU is visible here (" + m.gpus().problem() + ")");
        for (GpuInventory.Gpu g : m.gpus().gpus()) {
          if (g.capabilityKnown() && !g.atMost(8, 6))
            return Optional.of("ND4J's CUDA 11.6 library carries machine code for compute capability 3.7 to 8.6 and "
                + "no PTX, so it cannot run on " + g.describe() + "; Hopper, Ada and Blackwell GPUs need cuda");
        }
        if (!m.cuda11().complete()) return Optional.of(missing(m.cuda11(), "ND4J's CUDA backend"));
      }
      case CUDA -> {
        if (m.gpus().isEmpty()) return Optional.of("no NVIDIA GPU is visible here (" + m.gpus().problem() + ")");
        for (GpuInventory.Gpu g : m.gpus().gpus()) {
          if (g.capabilityKnown() && g.atMost(7, 2))
            return Optional.of("CUDA 13 supports compute capability 7.5 and newer, not " + g.describe()
                + "; older GPUs need nd4j-cuda");
        }
        if (!m.cuda13().complete()) return Optional.of(missing(m.cuda13(), "the cuda backend"));
      }
    }
    if (!catalog.names().contains(name))
      return Optional.of("this build carries no " + name + " backend (it carries: "
          + (catalog.names().isEmpty() ? "none" : String.join(", ", catalog.names())) + ")");
    if (!catalog.loads(name))
      return Optional.of("the " + name + " backend is in this build but its native libraries do not load on this "
          + "machine (" + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")");
    return Optional.empty();
  }

  private static String missing(CudaLibraries libs, String who) {
    return who + " needs the " + libs.label() + " libraries and " + String.join(", ", libs.missing())
        + " cannot be found (searched " + libs.searched().stream().map(Path::toString).collect(Collectors.joining(":"))
        + ", the ldconfig cache and the class path)";
  }

  private static String describe(GpuInventory gpus) {
    List<String> d = new ArrayList<>();
    for (GpuInventory.Gpu g : gpus.gpus()) d.add(g.describe());
    return d.size() == 1 ? d.get(0) : d.size() + " GPUs: " + String.join(", ", d);
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "this host";
    }
  }

  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return System.getProperty("os.arch") + " CPU";
  }
}
