package org.cascadetuner.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cascadetuner.common.config.ModelSettings.ComputeBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendSelectionTest {

  @TempDir Path tmp;

  /** A build that carries {@code names}, of which those in {@code broken} do not load. */
  record FakeCatalog(List<String> names, Set<String> broken) implements BackendSelection.Catalog {
    @Override
    public boolean loads(String name) {
      return names.contains(name) && !broken.contains(name);
    }
  }

  static final FakeCatalog ALL = new FakeCatalog(List.of("cpu", "cuda", "nd4j-cuda"), Set.of());
  static final FakeCatalog CPU_BUILD = new FakeCatalog(List.of("cpu"), Set.of());

  private Path fakeNvidiaSmi(String script) throws IOException {
    Path p = tmp.resolve("nvidia-smi");
    Files.writeString(p, "#!/usr/bin/env bash\n" + script + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  private CudaLibraries libs(String label, List<String> names, boolean present) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(label.replace(' ', '_') + (present ? "-yes" : "-no")));
    if (present) for (String n : names) Files.writeString(dir.resolve(n), "");
    return CudaLibraries.find(label, names, List.of(dir), Map.of(), new ClassLoader(null) {});
  }

  private BackendSelection.Machine machine(GpuInventory gpus, boolean cuda13, boolean cuda11) throws IOException {
    return new BackendSelection.Machine("node-1", "Test CPU", 8, "OMP_NUM_THREADS", gpus,
        libs("CUDA 13", CudaLibraries.CUDA_13, cuda13), libs("CUDA 11", CudaLibraries.CUDA_11, cuda11));
  }

  private static GpuInventory gpu(String name, int major, int minor) {
    return new GpuInventory(List.of(new GpuInventory.Gpu(0, name, major, minor, 81559)), "");
  }

  private static final GpuInventory NONE = new GpuInventory(List.of(), "nvidia-smi is not on PATH (no NVIDIA driver here)");

  @Test
  void nvidiaSmiOutputIsReadWithComputeCapability() throws IOException {
    Path smi = fakeNvidiaSmi("""
        case "$1" in
          --query-gpu=index,name,compute_cap,memory.total) printf '0, NVIDIA H100 80GB HBM3, 9.0, 81559\\n1, NVIDIA H100 80GB HBM3, 9.0, 81559\\n' ;;
          *) exit 9 ;;
        esac""");
    GpuInventory inv = GpuInventory.probe(Optional.of(smi));
    assertEquals(2, inv.gpus().size(), inv.problem());
    GpuInventory.Gpu g = inv.gpus().get(1);
    assertEquals(1, g.index());
    assertEquals("NVIDIA H100 80GB HBM3", g.name());
    assertEquals("9.0", g.computeCapability());
    assertEquals(81559, g.memoryMib());
  }

  @Test
  void olderDriversWithoutComputeCapabilityStillListTheirGpus() throws IOException {
    Path smi = fakeNvidiaSmi("""
        case "$1" in
          --query-gpu=index,name,memory.total) echo '0, Tesla T4, 15109' ;;
          *) echo 'Field "compute_cap" is not a valid field to query.'; exit 2 ;;
        esac""");
    GpuInventory inv = GpuInventory.probe(Optional.of(smi));
    assertEquals(1, inv.gpus().size(), inv.problem());
    assertFalse(inv.gpus().get(0).capabilityKnown());
    assertEquals("Tesla T4", inv.gpus().get(0).name());
  }

  @Test
  void aFailingNvidiaSmiMeansNoGpuWithItsMessage() throws IOException {
    Path smi = fakeNvidiaSmi("echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'; exit 9");
    GpuInventory inv = GpuInventory.probe(Optional.of(smi));
    assertTrue(inv.isEmpty());
    assertTrue(inv.problem().contains("could not communicate with the NVIDIA driver"), inv.problem());
    assertTrue(GpuInventory.probe(Optional.empty()).problem().contains("not on PATH"));
  }

  @Test
  void cpuRunsAndTheLogLineSaysWhatRunsWhere() throws IOException {
    BackendSelection.Choice c = BackendSelection.check(ComputeBackend.CPU, CPU_BUILD, machine(NONE, false, false));
    assertEquals("compute backend cpu on node-1: Test CPU; 8 CPU threads (OMP_NUM_THREADS)", c.logLine());
  }

  @Test
  void nd4jCudaOnHopperFailsNamingKeyValueReasonAndAlternatives() throws IOException {
    var m = machine(gpu("NVIDIA H100 80GB HBM3", 9, 0), true, true);
    var e = assertThrows(BackendSelection.Unavailable.class, () -> BackendSelection.check(ComputeBackend.ND4J_CUDA, ALL, m));
    String msg = e.getMessage();
    assertTrue(msg.startsWith("compute_backend = nd4j-cuda: "), msg);
    assertTrue(msg.contains("compute capability 3.7 to 8.6 and no PTX"), msg);
    assertTrue(msg.contains("GPU 0 NVIDIA H100 80GB HBM3 (compute capability 9.0"), msg);
    assertTrue(msg.contains("Allowed values: cpu, nd4j-cuda, cuda; on this machine: cpu, cuda."), msg);
  }

  @Test
  void adaIsAlsoBeyondNd4jCudaButAmpereRunsIt() throws IOException {
    var ada = machine(gpu("NVIDIA L4", 8, 9), false, true);
    assertThrows(BackendSelection.Unavailable.class, () -> BackendSelection.check(ComputeBackend.ND4J_CUDA, ALL, ada));
    var ampere = machine(gpu("NVIDIA A100-SXM4-40GB", 8, 0), false, true);
    BackendSelection.Choice c = BackendSelection.check(ComputeBackend.ND4J_CUDA, ALL, ampere);
    assertEquals("nd4j-cuda", c.backend());
    assertTrue(c.device().startsWith("GPU 0 NVIDIA A100-SXM4-40GB (compute capability 8.0"), c.device());
  }

  @Test
  void cudaWithoutCuda13LibrariesNamesTheMissingOnes() throws IOException {
    var m = machine(gpu("NVIDIA H100 80GB HBM3", 9, 0), false, false);
    var e = assertThrows(BackendSelection.Unavailable.class, () -> BackendSelection.check(ComputeBackend.CUDA, ALL, m));
    String msg = e.getMessage();
    assertTrue(msg.startsWith("compute_backend = cuda: the cuda backend needs the CUDA 13 libraries and "
        + "libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libnvrtc.so.13, libcudnn.so.9 cannot be found"), msg);
    assertTrue(msg.endsWith("on this machine: cpu."), msg);
  }

  @Test
  void cudaNeedsTuringOrNewer() throws IOException {
    var volta = machine(gpu("Tesla V100-SXM2-16GB", 7, 0), true, true);
    var e = assertThrows(BackendSelection.Unavailable.class, () -> BackendSelection.check(ComputeBackend.CUDA, ALL, volta));
    assertTrue(e.getMessage().contains("CUDA 13 supports compute capability 7.5 and newer"), e.getMessage());
    assertTrue(e.getMessage().endsWith("on this machine: cpu, nd4j-cuda."), e.getMessage());
  }

  @Test
  void aGpuBackendWithoutAGpuSaysSo() throws IOException {
    var m = machine(NONE, true, true);
    var e = assertThrows(BackendSelection.Unavailable.class, () -> BackendSelection.check(ComputeBackend.CUDA, ALL, m));
    assertTrue(e.getMessage().contains("no NVIDIA GPU is visible here (nvidia-smi is not on PATH"), e.getMessage());
  }

  @Test
  void aBackendMissingFromTheBuildOrNotLoadingIsNamed() throws IOException {
    var m = machine(gpu("NVIDIA H100 80GB HBM3", 9, 0), true, false);
    var e = assertThrows(BackendSelection.Unavailable.class, () -> BackendSelection.check(ComputeBackend.CUDA, CPU_BUILD, m));
    assertTrue(e.getMessage().contains("this build carries no cuda backend (it carries: cpu)"), e.getMessage());
    var broken = new FakeCatalog(List.of("cpu"), Set.of("cpu"));
    var e2 = assertThrows(BackendSelection.Unavailable.class, () -> BackendSelection.check(ComputeBackend.CPU, broken, m));
    assertTrue(e2.getMessage().contains("the cpu backend is in this build but its native libraries do not load"), e2.getMessage());
    assertTrue(e2.getMessage().endsWith("none of them runs on this machine."), e2.getMessage());
  }

  @Test
  void librariesAreFoundInTheLdconfigCacheToo() {
    Map<String, Path> cache = CudaLibraries.parseLdconfig("""
        812 libs found in cache `/etc/ld.so.cache'
        \tlibcudart.so.13 (libc6,x86-64) => /opt/cuda-13/lib64/libcudart.so.13
        \tlibcublas.so.13 (libc6,x86-64) => /opt/cuda-13/lib64/libcublas.so.13
        """);
    CudaLibraries libs = CudaLibraries.find("CUDA 13", CudaLibraries.CUDA_13, List.of(), cache, new ClassLoader(null) {});
    assertEquals("/opt/cuda-13/lib64/libcudart.so.13", libs.found().get("libcudart.so.13"));
    assertEquals(List.of("libcublasLt.so.13", "libnvrtc.so.13", "libcudnn.so.9"), libs.missing());
  }

  @Test
  void theInstalledCatalogHasTheNd4jCpuBackendAndItLoads() throws IOException {
    BackendSelection.Catalog installed = BackendSelection.Catalog.installed();
    assertTrue(installed.names().contains("cpu"), installed.names().toString());
    assertTrue(installed.loads("cpu"));
    assertFalse(installed.loads("tpu"));
    BackendSelection.Choice c = BackendSelection.check(ComputeBackend.CPU, installed, machine(NONE, false, false));
    assertEquals("cpu", c.backend());
    assertEquals("cpu", BackendSelection.open(ComputeBackend.CPU).name());
  }

  @Test
  void theSearchCoversTheLayoutOfNvidiaImagesAndDebianPackages() {
    // as seen on an H200 machine: the CUDA 13 runtime under /usr/local/cuda/lib64, cuDNN 9 from Debian packages
    // under /usr/lib/x86_64-linux-gnu, the driver's own folder on LD_LIBRARY_PATH
    List<Path> dirs = CudaLibraries.defaultDirs(Map.of("LD_LIBRARY_PATH", "/usr/local/nvidia/lib64:/usr/local/nvidia/lib",
        "CUDA_HOME", "/opt/cuda-13.1"));
    assertEquals(List.of(Path.of("/usr/local/nvidia/lib64"), Path.of("/usr/local/nvidia/lib"),
        Path.of("/opt/cuda-13.1/lib64"), Path.of("/opt/cuda-13.1/targets/x86_64-linux/lib")), dirs.subList(0, 4));
    assertTrue(dirs.contains(Path.of("/usr/local/cuda/lib64")));
    assertTrue(dirs.contains(Path.of("/usr/lib/x86_64-linux-gnu")));
  }

  @Test
  void threadsComeFromOmpNumThreadsElseAllCores() {
    int[] t = {4};
    assertEquals("OMP_NUM_THREADS", BackendSelection.Machine.ompThreads("6", t));
    assertEquals(6, t[0]);
    int[] u = {4};
    assertEquals("all cores", BackendSelection.Machine.ompThreads("zero", u));
    assertEquals(4, u[0]);
  }
}
