package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/gpu-discovery.sh run for real against a fake nvidia-smi on PATH: its output is the resource JSON Spark's
 * executors parse ({@code {"name":"gpu","addresses":[...]}}), and it fails loudly when no GPU can be seen.
 */
class GpuDiscoveryScriptTest {

  @TempDir Path tmp;

  private Deploy.Run discover(String fakeNvidiaSmi) {
    Path bin = tmp.resolve("bin");
    if (fakeNvidiaSmi != null) Deploy.executable(bin.resolve("nvidia-smi"), "#!/usr/bin/env bash\n" + fakeNvidiaSmi + "\n");
    // PATH with the fake first and the system tools bash needs, but no real nvidia-smi
    return Deploy.run(List.of("/bin/bash", Deploy.file("deploy/gpu-discovery.sh").toString()),
        Map.of("PATH", bin + ":/usr/bin:/bin"), tmp);
  }

  private static List<String> addresses(Deploy.Run r) throws Exception {
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertEquals("gpu", json.get("name").asText(), r.out());
    assertEquals(2, json.size(), "exactly name and addresses: " + r.out());
    List<String> a = new ArrayList<>();
    for (JsonNode n : json.get("addresses")) {
      assertTrue(n.isTextual(), "addresses are strings: " + r.out());
      a.add(n.asText());
    }
    return a;
  }

  @Test
  void reportsTheIndicesNvidiaSmiLists() throws Exception {
    // the script must ask for exactly the index column, without header
    Deploy.Run r = discover("""
        [[ "$*" == "--query-gpu=index --format=csv,noheader" ]] || { echo "unexpected arguments: $*" >&2; exit 3; }
        printf '0\\n 1\\n2 \\n3\\n'""");
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("0", "1", "2", "3"), addresses(r));
  }

  @Test
  void aSingleGpu() throws Exception {
    Deploy.Run r = discover("echo 0");
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("0"), addresses(r));
  }

  @Test
  void noGpuListedGivesNoAddresses() throws Exception {
    Deploy.Run r = discover("exit 0");
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of(), addresses(r));
  }

  @Test
  void withoutNvidiaSmiItFailsSayingSo() {
    Deploy.Run r = discover(null);
    assertNotEquals(0, r.exit());
    assertEquals("", r.out());
    assertTrue(r.err().contains("nvidia-smi not found"), r.err());
  }

  @Test
  void aFailingNvidiaSmiFailsTheDiscovery() {
    Deploy.Run r = discover("echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'; exit 9");
    assertNotEquals(0, r.exit());
    assertEquals("", r.out());
    assertTrue(r.err().contains("could not communicate with the NVIDIA driver"), r.err());
  }

  @Test
  void unexpectedOutputIsRejectedNotPassedOn() {
    Deploy.Run r = discover("echo 'No devices were found'");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("unexpected nvidia-smi output line: No devices were found"), r.err());
  }
}
