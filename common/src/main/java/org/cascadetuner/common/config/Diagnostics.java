package org.cascadetuner.common.config;

import java.util.ArrayList;
import java.util.List;
import org.cascadetuner.common.config.Diagnostic.Severity;

/**
 * Collects every finding of a check, so that all errors of all files are reported at once rather than the first.
 * One instance per check; {@link #in(String, String)} gives a view that fills in the file and dataset.
 */
public final class Diagnostics {
  private final List<Diagnostic> all = new ArrayList<>();

  public Scope in(String source, String dataset) {
    return new Scope(source, dataset);
  }

  public void add(Diagnostic d) {
    all.add(d);
  }

  public List<Diagnostic> list() {
    return List.copyOf(all);
  }

  public List<Diagnostic> of(Severity severity) {
    return all.stream().filter(d -> d.severity() == severity).toList();
  }

  public boolean hasErrors() {
    return all.stream().anyMatch(d -> d.severity() == Severity.ERROR);
  }

  /** Findings about one file (and optionally one dataset in it). */
  public final class Scope {
    private final String source;
    private final String dataset;

    private Scope(String source, String dataset) {
      this.source = source;
      this.dataset = dataset;
    }

    public Scope dataset(String id) {
      return new Scope(source, id);
    }

    public String source() {
      return source;
    }

    /** SimpleTuner prefixes dataset errors with "(id=…) "; so do we, so messages read the same. */
    public String prefix() {
      return dataset == null ? "" : "(id=" + dataset + ") ";
    }

    public void error(String key, String value, String message, String allowed) {
      add(new Diagnostic(Severity.ERROR, source, dataset, key, value, message, allowed));
    }

    public void warning(String key, String value, String message) {
      add(new Diagnostic(Severity.WARNING, source, dataset, key, value, message, null));
    }

    public void note(String key, String value, String message) {
      add(new Diagnostic(Severity.NOTE, source, dataset, key, value, message, null));
    }
  }
}
