package org.cascadetuner.common.config;

import java.util.List;
import java.util.Optional;
import org.cascadetuner.common.config.Diagnostic.Severity;

/**
 * The outcome of reading config.json, multidatabackend.json and the prompt library: the typed configuration, every
 * finding, and the provenance later artifacts carry. When there are errors, refused values fall back to their
 * defaults so that the rest could still be checked; such a configuration must not be run.
 *
 * @param dataBackendSource the multidatabackend.json read, or null when none was found
 * @param prompts the prompt library, or null when none is configured
 */
public record ResolvedConfiguration(
    String configSource,
    String dataBackendSource,
    TrainingConfig training,
    List<DatasetConfig> datasets,
    PromptLibrary prompts,
    List<Diagnostic> diagnostics,
    ConfigProvenance provenance) {

  public ResolvedConfiguration {
    datasets = List.copyOf(datasets);
    diagnostics = List.copyOf(diagnostics);
  }

  public boolean valid() {
    return errors().isEmpty();
  }

  public List<Diagnostic> errors() {
    return of(Severity.ERROR);
  }

  public List<Diagnostic> warnings() {
    return of(Severity.WARNING);
  }

  public List<Diagnostic> of(Severity s) {
    return diagnostics.stream().filter(d -> d.severity() == s).toList();
  }

  public List<ImageDataset> imageDatasets() {
    return datasets.stream().filter(ImageDataset.class::isInstance).map(ImageDataset.class::cast).toList();
  }

  public Optional<DatasetConfig> dataset(String id) {
    return datasets.stream().filter(d -> d.id().equals(id)).findFirst();
  }
}
