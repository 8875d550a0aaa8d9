package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The one way a run reads its configuration: config.json (+ {@code --set} overrides), then the
 * multidatabackend.json it names (or the one given), then the prompt library, collecting every finding.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  /**
   * @param configFile config.json (a path or Hadoop URI)
   * @param dataBackendFile multidatabackend.json; null: config.json's data_backend_config (as given, else beside
   *     config.json)
   * @param overrides {@code key=value} assignments of config.json keys
   * @param checkPaths make a missing or unset dataset location an error (see {@link PathChecks})
   */
  public static ResolvedConfiguration load(String configFile, String dataBackendFile, List<String> overrides,
      boolean checkPaths) {
    Diagnostics diagnostics = new Diagnostics();
    JsonNode root = ConfigFiles.read(configFile, diagnostics.in(configFile, null));
    TrainingConfig training = TrainingConfigReader.read(root, overrides, diagnostics.in(configFile, null),
        diagnostics.in("--set", null));

    // an unreadable config.json is reported once, not again as a missing data_backend_config
    String backend = dataBackendFile != null ? dataBackendFile
        : root == null ? null : findDataBackend(training, configFile, diagnostics);
    List<DatasetConfig> datasets = List.of();
    if (backend != null) {
      Diagnostics.Scope scope = diagnostics.in(backend, null);
      JsonNode entries = ConfigFiles.read(backend, scope);
      if (entries != null) {
        datasets = DataBackendReader.read(entries, training, scope);
        PathChecks.check(datasets, checkPaths, scope);
      }
    }
    PromptLibrary prompts = null;
    String library = training.validation().promptLibrary();
    if (library != null) {
      String found = ConfigFiles.locate(library, configFile);
      if (found == null) {
        diagnostics.in(configFile, null).error("user_prompt_library", "\"" + library + "\"", "Prompt library "
            + library + " not found (looked at " + candidates(library, configFile) + ").", "an existing JSON file");
      } else {
        Diagnostics.Scope scope = diagnostics.in(found, null);
        JsonNode node = ConfigFiles.read(found, scope);
        if (node != null) prompts = PromptLibrary.read(node, scope);
      }
    }
    return new ResolvedConfiguration(configFile, backend, training, datasets, prompts, diagnostics.list(),
        ConfigProvenance.of(training, datasets, prompts));
  }

  private static String findDataBackend(TrainingConfig training, String configFile, Diagnostics diagnostics) {
    String given = training.data().dataBackendConfig();
    Diagnostics.Scope d = diagnostics.in(configFile, null);
    if (given == null) {
      d.error("data_backend_config", null, "No data backend config: set data_backend_config in config.json or pass"
          + " --data-backend-config.", "a multidatabackend.json path");
      return null;
    }
    String found = ConfigFiles.locate(given, configFile);
    if (found == null) {
      d.error("data_backend_config", "\"" + given + "\"", "Data backend config " + given + " not found (looked at "
          + candidates(given, configFile) + ").", "an existing multidatabackend.json");
    }
    return found;
  }

  private static String candidates(String given, String configFile) {
    String sibling = ConfigFiles.sibling(configFile, given);
    return sibling == null || sibling.equals(given) ? given : given + " and " + sibling;
  }
}
