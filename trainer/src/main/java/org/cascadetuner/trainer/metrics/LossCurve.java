package org.cascadetuner.trainer.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The loss curve (per step and a moving average) as a PNG, redrawn at checkpoints and at the end. */
public final class LossCurve {
  private LossCurve() {}

  public static void write(List<StepMetrics> steps, Path png, String title) {
    if (steps.isEmpty()) return;
    double[] x = new double[steps.size()];
    double[] y = new double[steps.size()];
    double[] avg = new double[steps.size()];
    int window = Math.max(1, steps.size() / 20);
    double run = 0;
    for (int i = 0; i < x.length; i++) {
      x[i] = steps.get(i).step();
      y[i] = steps.get(i).loss();
      run += y[i];
      if (i >= window) run -= y[i - window];
      avg[i] = run / Math.min(i + 1, window);
    }
    XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("step").yAxisTitle("loss")
        .build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    XYSeries raw = chart.addSeries("loss", x, y);
    raw.setMarker(SeriesMarkers.NONE);
    raw.setLineColor(new java.awt.Color(150, 180, 220));
    XYSeries smooth = chart.addSeries("moving average (" + window + ")", x, avg);
    smooth.setMarker(SeriesMarkers.NONE);
    smooth.setLineColor(new java.awt.Color(20, 60, 140));
    try {
      System.setProperty("java.awt.headless", "true");
      BitmapEncoder.saveBitmap(chart, png.toString().replaceAll("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + png, e);
    }
  }
}
