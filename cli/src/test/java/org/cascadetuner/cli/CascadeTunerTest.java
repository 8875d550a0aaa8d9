package org.cascadetuner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CascadeTunerTest {
  @Test
  void versionNamesTheBuiltVersion() {
    StringWriter out = new StringWriter();
    CommandLine cl = CascadeTuner.commandLine();
    cl.setOut(new PrintWriter(out));
    assertEquals(0, cl.execute("--version"));
    assertTrue(out.toString().matches("(?s)cascade-tuner \\d+\\.\\d+\\.\\d+.*"), out.toString());
  }

  @Test
  void helpListsEveryRegisteredCommand() {
    StringWriter out = new StringWriter();
    CommandLine cl = CascadeTuner.commandLine();
    cl.setOut(new PrintWriter(out));
    assertEquals(0, cl.execute("--help"));
    for (String name : cl.getSubcommands().keySet()) {
      assertTrue(out.toString().contains(name), name + " missing from --help");
    }
  }
}
