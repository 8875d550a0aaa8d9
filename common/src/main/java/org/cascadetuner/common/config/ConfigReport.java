package org.cascadetuner.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;
import org.cascadetuner.common.config.Diagnostic.Severity;

/** The text {@code cascade-tuner config check} prints: the resolved configuration, then every finding. */
public final class ConfigReport {
  private ConfigReport() {}

  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static String render(ResolvedConfiguration c) {
    StringBuilder sb = new StringBuilder();
    sb.append("config.json: ").append(c.configSource()).append('\n');
    sb.append("data backend config: ").append(c.dataBackendSource() == null ? "(none)" : c.dataBackendSource())
        .append("\n\n");
    if (!c.valid()) {
      sb.append("Values refused below are shown at their defaults; fix the errors before running.\n");
    }
    sb.append("Resolved configuration (defaults filled in; image datasets after pixel_area normalisation):\n");
    try {
      sb.append(PRETTY.writeValueAsString(ConfigProvenance.document(c.training(), c.datasets(), c.prompts(), false)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    sb.append("\n\n");
    section(sb, "Errors", c.of(Severity.ERROR));
    section(sb, "Warnings", c.of(Severity.WARNING));
    section(sb, "Notes", c.of(Severity.NOTE));
    sb.append("provenance: sha256 ").append(c.provenance().sha256()).append(", code ")
        .append(c.provenance().codeVersion()).append('\n');
    int e = c.errors().size();
    int w = c.warnings().size();
    sb.append(c.valid() ? "VALID" : "INVALID: " + e + (e == 1 ? " error" : " errors"))
        .append(c.valid() ? " (" : ", ").append(w).append(w == 1 ? " warning" : " warnings")
        .append(c.valid() ? ")" : "").append('\n');
    return sb.toString();
  }

  private static void section(StringBuilder sb, String title, List<Diagnostic> list) {
    if (list.isEmpty()) return;
    sb.append(title).append(" (").append(list.size()).append("):\n");
    for (Diagnostic d : list) sb.append(d.render()).append('\n');
    sb.append('\n');
  }
}
