package org.cascadetuner.common.config;

import java.util.Objects;

/**
 * One finding about a configuration: where (file, dataset id), which key and value, what is wrong or reinterpreted,
 * and what is allowed. Errors make the configuration invalid; warnings name a key read differently from SimpleTuner
 * or ignored; notes are information (a skipped disabled dataset, a path not checked).
 *
 * @param source the file (as given on the command line) or {@code --set}
 * @param dataset the dataset id inside multidatabackend.json, or null
 * @param key the key concerned, or null for a finding about the whole file
 * @param value the offending value as JSON text, or null
 * @param allowed what the key accepts, or null
 */
public record Diagnostic(
    Severity severity, String source, String dataset, String key, String value, String message, String allowed) {

  public enum Severity { ERROR, WARNING, NOTE }

  public Diagnostic {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(message, "message");
  }

  /** Two or three lines: where and what, then the message, then what is allowed when the message does not say it. */
  public String render() {
    StringBuilder head = new StringBuilder(severity.name().toLowerCase()).append(": ").append(source);
    if (dataset != null) head.append(" [id=").append(dataset).append(']');
    if (key != null) head.append(' ').append(key);
    if (value != null) head.append(" = ").append(value);
    StringBuilder out = new StringBuilder(head).append("\n    ").append(message);
    if (allowed != null && !message.contains(allowed)) out.append("\n    allowed: ").append(allowed);
    return out.toString();
  }
}
