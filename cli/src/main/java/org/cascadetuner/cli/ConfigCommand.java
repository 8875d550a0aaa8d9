package org.cascadetuner.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cascadetuner.common.config.ConfigLoader;
import org.cascadetuner.common.config.ConfigReport;
import org.cascadetuner.common.config.KeyDocs;
import org.cascadetuner.common.config.ResolvedConfiguration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cascade-tuner config check|keys}: explain and validate SimpleTuner-style configuration files. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    versionProvider = CascadeTuner.Version.class,
    description = "Check configuration files, or list every configuration key.",
    subcommands = {ConfigCommand.Check.class, ConfigCommand.Keys.class})
public final class ConfigCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Exit status of {@code config check} for a configuration with errors. */
  public static final int INVALID = 2;

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      versionProvider = CascadeTuner.Version.class,
      description = {"Print the resolved configuration (defaults filled in) and every warning and error.",
          "Exit status: 0 valid, 2 invalid."})
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "config.json (path or URI).")
    String config;

    @Option(names = "--data-backend-config", paramLabel = "FILE",
        description = "multidatabackend.json; default: config.json's data_backend_config, as given or beside it.")
    String dataBackendConfig;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config.json key (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--check-paths",
        description = "Make a missing or unset dataset folder an error (default: a note or a warning).")
    boolean checkPaths;

    @Override
    public Integer call() {
      ResolvedConfiguration c = ConfigLoader.load(config, dataBackendConfig, overrides, checkPaths);
      spec.commandLine().getOut().print(ConfigReport.render(c));
      spec.commandLine().getOut().flush();
      return c.valid() ? 0 : INVALID;
    }
  }

  @Command(
      name = "keys",
      mixinStandardHelpOptions = true,
      versionProvider = CascadeTuner.Version.class,
      description = "Print every config.json and multidatabackend.json key as Markdown (README's key list).")
  static final class Keys implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().getOut().print(KeyDocs.markdown());
      spec.commandLine().getOut().flush();
    }
  }
}
