package org.cascadetuner.trainer.metrics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** One CSV line per step ({@code metrics.csv}), appended and flushed as training goes; a resumed run appends. */
public final class MetricsCsv implements AutoCloseable {
  static final String HEADER = "step,epoch,loss,lr,grad_norm,samples_per_second,wall_time_ms";
  private final BufferedWriter out;

  public MetricsCsv(Path file) {
    try {
      Files.createDirectories(file.getParent());
      boolean fresh = !Files.exists(file) || Files.size(file) == 0;
      out = Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      if (fresh) {
        out.write(HEADER);
        out.newLine();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }

  public void append(StepMetrics m) {
    try {
      out.write(String.format(Locale.ROOT, "%d,%d,%.8g,%.8g,%.8g,%.4f,%d", m.step(), m.epoch(), m.loss(), m.lr(),
          m.gradNorm(), m.samplesPerSecond(), m.wallTimeMillis()));
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
