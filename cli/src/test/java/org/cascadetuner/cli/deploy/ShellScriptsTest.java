package org.cascadetuner.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every shell script of the deployment parses, is executable, and passes shellcheck at warning level. */
class ShellScriptsTest {

  @Test
  void theDeploymentHasItsScripts() {
    List<String> scripts = Deploy.shellScripts();
    for (String s : List.of("deploy/spark-home.sh", "deploy/submit-train.sh", "deploy/submit-refresh.sh",
        "deploy/gpu-discovery.sh", "deploy/fetch-rapids.sh", "deploy/docker/entrypoint.sh", "deploy/quickstart.sh")) {
      assertTrue(scripts.contains(s), s + " missing from " + scripts);
    }
  }

  @Test
  void everyScriptParses() {
    for (String s : Deploy.shellScripts()) {
      Deploy.Run r = Deploy.run(List.of("bash", "-n", Deploy.file(s).toString()), Map.of(), Deploy.root());
      assertEquals(0, r.exit(), s + ": " + r.err());
    }
  }

  @Test
  void scriptsThatAreRunAreExecutable() {
    for (String s : Deploy.shellScripts()) {
      if (s.startsWith("deploy/lib/")) continue; // sourced, not run
      assertTrue(Files.isExecutable(Deploy.file(s)), s + " is not executable (git update-index --chmod=+x " + s + ")");
      assertTrue(Deploy.read(s).startsWith("#!/usr/bin/env bash\n"), s + " does not start with #!/usr/bin/env bash");
    }
  }

  @Test
  void shellcheckFindsNoWarnings() {
    Path shellcheck = Deploy.tool("shellcheck", "shellcheck");
    List<String> cmd = new ArrayList<>(List.of(shellcheck.toString(), "--severity=warning", "--external-sources",
        "--format=gcc"));
    cmd.addAll(Deploy.shellScripts());
    Deploy.Run r = Deploy.run(cmd, Map.of(), Deploy.root());
    assertEquals(0, r.exit(), "shellcheck:\n" + r.all());
  }
}
