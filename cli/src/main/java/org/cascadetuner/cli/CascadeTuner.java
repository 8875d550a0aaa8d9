package org.cascadetuner.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code bin/cascade-tuner <command>}. Each subcommand is a small class in this package. */
@Command(
    name = "cascade-tuner",
    mixinStandardHelpOptions = true,
    versionProvider = CascadeTuner.Version.class,
    description = "Fine-tune the Stable Cascade Stage C prior on Apache Spark.",
    subcommands = {ConfigCommand.class, GeometryCommand.class, TokenizeCommand.class, ForwardCommand.class,
        BackendCommand.class, CommandLine.HelpCommand.class})
public final class CascadeTuner implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static CommandLine commandLine() {
    return new CommandLine(new CascadeTuner()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  public static void main(String[] args) {
    RapidsGuard.problem(System.getProperties()).ifPresent(p -> {
      System.err.println("cascade-tuner: " + p);
      System.exit(2);
    });
    System.exit(commandLine().execute(args));
  }

  /** Reads the version Maven wrote into the jar at build time. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = CascadeTuner.class.getResourceAsStream("version.properties")) {
        if (in != null) p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"cascade-tuner " + p.getProperty("version", "unknown"),
          "Java " + System.getProperty("java.version")};
    }
  }
}
