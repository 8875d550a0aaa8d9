package org.cascadetuner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.cascadetuner.common.config.Diagnostic.Severity;
import org.cascadetuner.common.data.GeometryConfig;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SimpleTuner's Stage C quickstart files are accepted unchanged, with exactly DESIGN decision 4's warnings. */
class QuickstartTest {

  /** DESIGN.md decision 4: each reinterpretation the quickstart files meet, by the key the warning names. */
  private static final Set<String> DECISION_4_KEYS =
      Set.of("dataset_type", "resolution", "bucket_resolutions", "base_model_precision", "report_to", "hub_model_id");

  private static ResolvedConfiguration load(boolean checkPaths) {
    return ConfigLoader.load(SharedFiles.spec("quickstart/config.json").toString(),
        SharedFiles.spec("quickstart/multidatabackend.json").toString(), List.of(), checkPaths);
  }

  @Test
  void passesWithExactlyTheDecision4Warnings() {
    ResolvedConfiguration c = load(false);
    assertTrue(c.valid(), c.errors().toString());
    List<Diagnostic> warnings = c.warnings();
    assertEquals(DECISION_4_KEYS, warnings.stream().map(Diagnostic::key).collect(Collectors.toSet()),
        warnings.toString());
    assertEquals(DECISION_4_KEYS.size(), warnings.size(), warnings.toString());
    for (Diagnostic w : warnings) {
      assertTrue(w.message().contains(w.key()), "a warning names its key: " + w.render());
      assertTrue(w.value() != null, "a warning shows the value: " + w.render());
    }
  }

  @Test
  void everyConfigJsonValueIsTakenAsWritten() {
    JsonNode file = Vectors.spec("quickstart/config.json");
    JsonNode resolved = load(false).training().values().toJson(true);
    file.fields().forEachRemaining(e -> {
      JsonNode r = resolved.get(e.getKey());
      if (e.getValue().isNumber()) assertEquals(e.getValue().doubleValue(), r.doubleValue(), 0.0, e.getKey());
      else assertEquals(e.getValue(), r, e.getKey());
    });
  }

  @Test
  void theImageDatasetIsNormalisedAsSimpleTunerDoesIt() {
    ResolvedConfiguration c = load(false);
    JsonNode entry = Vectors.spec("quickstart/multidatabackend.json").get(0);
    ImageDataset primary = assertInstanceOf(ImageDataset.class, c.dataset(entry.get("id").textValue()).orElseThrow());
    GeometryConfig g = primary.geometry();
    // The spec's geometry vectors with the quickstart's sizes give the normalised values (spec §3.10).
    JsonNode norm = Vectors.category("geometry").stream().map(v -> v.get("input"))
        .filter(i -> i.has("dataset_config_raw")
            && sameSizes(i.get("dataset_config_raw"), entry))
        .findFirst().orElseThrow().get("dataset_config_normalised");
    assertEquals(GeometryConfig.ResolutionType.AREA, g.resolutionType());
    assertEquals(norm.get("resolution").doubleValue(), g.resolution(), 0.0);
    assertEquals(norm.get("minimum_image_size").doubleValue(), g.minimumImageSize(), 0.0);
    assertEquals(norm.get("maximum_image_size").doubleValue(), g.maximumImageSize(), 0.0);
    assertEquals(norm.get("target_downsample_size").doubleValue(), g.targetDownsampleSize(), 0.0);
    assertEquals(entry.get("crop").booleanValue(), g.crop());
    assertEquals(GeometryConfig.CropStyle.RANDOM, g.cropStyle());
    assertEquals(GeometryConfig.CropAspect.SQUARE, g.cropAspect(), "no crop_aspect: square (spec §9.3)");
    assertEquals(entry.get("repeats").longValue(), primary.sampling().repeats());
    assertEquals(entry.get("instance_data_dir").textValue(), primary.location());
  }

  private static boolean sameSizes(JsonNode raw, JsonNode entry) {
    for (String k : List.of("minimum_image_size", "maximum_image_size", "target_downsample_size")) {
      if (!raw.has(k) || raw.get(k).longValue() != entry.get(k).longValue()) return false;
    }
    return raw.get("resolution").asText().equals(entry.get("resolution").asText().split("x")[0]);
  }

  @Test
  void theTextCacheIsTheMarkedDefaultAndTheLatentCacheFollowsOutputDir() {
    ResolvedConfiguration c = load(false);
    JsonNode entries = Vectors.spec("quickstart/multidatabackend.json");
    TextEmbedDataset text = assertInstanceOf(TextEmbedDataset.class,
        c.dataset(entries.get(1).get("id").textValue()).orElseThrow());
    assertTrue(text.isDefault());
    assertEquals(entries.get(1).get("cache_dir").textValue(), text.cacheDir());
    ImageDataset primary = c.imageDatasets().get(0);
    assertEquals(text.id(), primary.textEmbeds());
    assertEquals(c.training().checkpoints().outputDir() + "/cache/vae/stable_cascade/" + primary.id(),
        primary.cacheDirVae());
    assertEquals(2, c.datasets().size(), "no text cache is made when one is configured");
  }

  @Test
  void theMissingDataFolderIsANoteUnlessPathsAreChecked() {
    String dir = Vectors.spec("quickstart/multidatabackend.json").get(0).get("instance_data_dir").textValue();
    assumeFalse(Files.isDirectory(Path.of(dir)));
    ResolvedConfiguration relaxed = load(false);
    assertTrue(relaxed.of(Severity.NOTE).stream().anyMatch(n -> "instance_data_dir".equals(n.key())));
    ResolvedConfiguration strict = load(true);
    assertEquals(List.of("instance_data_dir"), strict.errors().stream().map(Diagnostic::key).toList());
  }

  /** The quickstart text enables the library with "validation_prompt_library": "config/stable_cascade/…json". */
  @Test
  void theQuickstartsPromptLibraryInstructionWorks(@TempDir Path dir)
      throws IOException {
    Path lib = dir.resolve("config/stable_cascade/prompt_library.json");
    Files.createDirectories(lib.getParent());
    Files.copy(SharedFiles.spec("quickstart/prompt_library.json"), lib);
    ObjectNode config = (ObjectNode) Vectors.spec("quickstart/config.json").deepCopy();
    config.put("validation_prompt_library", "config/stable_cascade/prompt_library.json");
    Path file = dir.resolve("config.json");
    Files.writeString(file, config.toString());
    ResolvedConfiguration c = ConfigLoader.load(file.toString(),
        SharedFiles.spec("quickstart/multidatabackend.json").toString(), List.of(), false);
    assertTrue(c.valid(), c.errors().toString());
    assertEquals(Vectors.spec("quickstart/prompt_library.json").size(), c.prompts().prompts().size());
    assertTrue(c.warnings().stream().anyMatch(w -> "validation_prompt_library".equals(w.key())));
  }

  @Test
  void thePromptLibraryReadsNameToPrompt() {
    JsonNode file = Vectors.spec("quickstart/prompt_library.json");
    Diagnostics d = new Diagnostics();
    PromptLibrary p = PromptLibrary.read(file, d.in("prompt_library.json", null));
    assertEquals(List.of(), d.list());
    assertEquals(file.size(), p.prompts().size());
    file.fields().forEachRemaining(e -> assertEquals(e.getValue().textValue(), p.prompts().get(e.getKey())));
  }
}
