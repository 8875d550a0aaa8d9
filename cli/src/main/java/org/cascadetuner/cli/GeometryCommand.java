package org.cascadetuner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.config.Diagnostic;
import org.cascadetuner.common.config.Diagnostics;
import org.cascadetuner.common.config.DatasetGeometry;
import org.cascadetuner.common.config.TrainingConfig;
import org.cascadetuner.common.config.TrainingConfigReader;
import org.cascadetuner.common.data.GeometryConfig;
import org.cascadetuner.common.data.GeometryLines;
import org.cascadetuner.common.data.ImageGeometry;
import org.cascadetuner.common.io.Storage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cascade-tuner geometry --dataset-config F.json}: SimpleTuner's bucket/resize/crop arithmetic for image sizes
 * read as JSON lines on stdin (DESIGN.md "Contracts").
 */
@Command(
    name = "geometry",
    mixinStandardHelpOptions = true,
    versionProvider = CascadeTuner.Version.class,
    description = {"Reads {\"width\":W,\"height\":H} lines (optionally with \"id\", the key of random crops) on stdin;",
        "writes one JSON line each: kept, reject_reason, target_size, resize_before_crop, crop_top_left,",
        "aspect_bucket, latent_shape. Exit status 2 when the dataset config is invalid."})
public final class GeometryCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dataset-config", required = true, paramLabel = "FILE",
      description = "One entry of a multidatabackend.json (a JSON object), as written for SimpleTuner.")
  String datasetConfig;

  @Option(names = "--config", paramLabel = "FILE",
      description = "config.json for the global defaults (resolution, alignment, seed, stable_cascade_effnet_scale).")
  String config;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config.json key (repeatable).")
  List<String> overrides = new java.util.ArrayList<>();

  @Option(names = "--seed", description = "Seed of random crops (default: config.json's seed, else 0).")
  Long seed;

  @Override
  public Integer call() throws IOException {
    ObjectMapper json = new ObjectMapper();
    Configuration hadoop = new Configuration();
    Diagnostics diagnostics = new Diagnostics();
    JsonNode root = config == null ? null : json.readTree(Storage.readAll(config, hadoop));
    TrainingConfig training = TrainingConfigReader.read(root, overrides,
        diagnostics.in(config == null ? "(defaults)" : config, null), diagnostics.in("--set", null));
    JsonNode entry = json.readTree(Storage.readAll(datasetConfig, hadoop));
    GeometryConfig geometry = DatasetGeometry.read(entry, training, diagnostics.in(datasetConfig, null));
    PrintWriter err = spec.commandLine().getErr();
    for (Diagnostic d : diagnostics.list()) {
      if (d.severity() != Diagnostic.Severity.NOTE) err.println(d.render());
    }
    err.flush();
    if (diagnostics.hasErrors()) return ConfigCommand.INVALID;
    long s = seed != null ? seed : training.schedule().seed() != null ? training.schedule().seed() : 0L;
    ImageGeometry g = new ImageGeometry(geometry, training.model().effnetScale(), s);
    try {
      new GeometryLines(g).run(new InputStreamReader(System.in, StandardCharsets.UTF_8), spec.commandLine().getOut());
    } catch (IllegalArgumentException e) {
      spec.commandLine().getOut().flush();
      err.println("geometry: stdin " + e.getMessage());
      err.flush();
      return ConfigCommand.INVALID;
    }
    spec.commandLine().getOut().flush();
    return 0;
  }
}
