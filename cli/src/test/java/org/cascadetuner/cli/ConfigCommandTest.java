package org.cascadetuner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cascadetuner.common.config.KeyDocs;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cascade-tuner config check}: exit 0 for a valid configuration, 2 for an invalid one. */
class ConfigCommandTest {

  @TempDir Path dir;

  private record Run(int exit, String out) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cl = CascadeTuner.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(out));
    return new Run(cl.execute(args), out.toString());
  }

  private static String quickstart(String file) {
    return SharedFiles.spec("quickstart/" + file).toString();
  }

  @Test
  void theQuickstartIsValidAndItsWarningsArePrinted() {
    Run r = run("config", "check", "--config", quickstart("config.json"), "--data-backend-config",
        quickstart("multidatabackend.json"));
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("VALID (6 warnings)"), r.out());
    assertTrue(r.out().contains("dataset_type = \"images\""), r.out());
    assertTrue(r.out().contains("\"resolution\" : 1.048576"), "the resolved, normalised dataset is printed");
    assertTrue(r.out().contains("provenance: sha256 "), r.out());
  }

  @Test
  void errorsGiveExitTwoAndNameKeyValueAndAllowedValues() {
    Run r = run("config", "check", "--config", quickstart("config.json"), "--data-backend-config",
        quickstart("multidatabackend.json"), "--set", "lr_scheduler=sine", "--set", "learnig_rate=1");
    assertEquals(ConfigCommand.INVALID, r.exit(), r.out());
    assertTrue(r.out().contains("INVALID: 2 errors"), r.out());
    assertTrue(r.out().contains("lr_scheduler = \"sine\""), r.out());
    assertTrue(r.out().contains("'cosine_with_restarts'"), r.out());
    assertTrue(r.out().contains("closest known key is \"learning_rate\""), r.out());
  }

  @Test
  void theDataBackendConfigIsFoundBesideConfigJson() throws IOException {
    Path config = dir.resolve("config.json");
    Files.copy(Path.of(quickstart("config.json")), config);
    Run missing = run("config", "check", "--config", config.toString());
    assertEquals(ConfigCommand.INVALID, missing.exit(), missing.out());
    assertTrue(missing.out().contains("data_backend_config"), missing.out());

    String relative = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toFile())
        .get("data_backend_config").textValue();
    Path backend = dir.resolve(relative);
    Files.createDirectories(backend.getParent());
    Files.copy(Path.of(quickstart("multidatabackend.json")), backend);
    Run found = run("config", "check", "--config", config.toString());
    assertEquals(0, found.exit(), found.out());
    assertTrue(found.out().contains("data backend config: " + backend), found.out());
  }

  @Test
  void checkPathsTurnsAMissingDataFolderIntoAnError() throws IOException {
    Path images = Files.createDirectories(dir.resolve("images"));
    Path backend = dir.resolve("multidatabackend.json");
    Files.writeString(backend, Files.readString(Path.of(quickstart("multidatabackend.json")))
        .replace("/data/stable-cascade", images.toString()));
    String[] args = {"config", "check", "--config", quickstart("config.json"), "--data-backend-config",
        backend.toString(), "--check-paths"};
    assertEquals(0, run(args).exit(), run(args).out());
    Files.delete(images);
    Run r = run(args);
    assertEquals(ConfigCommand.INVALID, r.exit(), r.out());
    assertTrue(r.out().contains("instance_data_dir = \"" + images + "\""), r.out());
  }

  @Test
  void configKeysPrintsTheReadmeSection() {
    Run r = run("config", "keys");
    assertEquals(0, r.exit());
    assertEquals(KeyDocs.markdown(), r.out());
  }
}
