package org.cascadetuner.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.cascadetuner.jobs.testing.StandaloneCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The averaging machinery on a model small enough to reason about: linear least squares trained by SGD. With one
 * local step per round, N workers averaging equals one worker taking the step on the N-fold batch (the mean of the
 * workers' mean gradients is the mean gradient of the union).
 */
class ParameterAveragingTest {
  static final int DIM = 7;
  static final int BATCH = 4;
  static final float LR = 0.05f;
  @TempDir Path tmp;

  /** Rows of a fixed synthetic regression problem; row i is the same in every JVM. */
  static float[] row(long i) {
    Random r = new Random(1000 + i);
    float[] x = new float[DIM + 1];
    float y = 0.5f;
    for (int d = 0; d < DIM; d++) {
      x[d] = (float) r.nextGaussian();
      y += (d + 1) * 0.1f * x[d];
    }
    x[DIM] = y + 0.01f * (float) r.nextGaussian();
    return x;
  }

  /** One SGD step on rows [first, first+count): w -= lr * mean(2 (w·x + b - y) x). Same code for both sides. */
  static Map<String, float[]> sgdStep(Map<String, float[]> state, long first, int count) {
    float[] w = state.get("w").clone();
    float[] b = state.get("b").clone();
    double[] gw = new double[DIM];
    double gb = 0;
    for (long i = first; i < first + count; i++) {
      float[] x = row(i);
      double pred = b[0];
      for (int d = 0; d < DIM; d++) pred += w[d] * x[d];
      double err = 2 * (pred - x[DIM]) / count;
      for (int d = 0; d < DIM; d++) gw[d] += err * x[d];
      gb += err;
    }
    for (int d = 0; d < DIM; d++) w[d] -= LR * (float) gw[d];
    b[0] -= LR * (float) gb;
    Map<String, float[]> out = new LinkedHashMap<>();
    out.put("w", w);
    out.put("b", b);
    return out;
  }

  static Map<String, float[]> init() {
    Map<String, float[]> s = new LinkedHashMap<>();
    s.put("w", new float[DIM]);
    s.put("b", new float[1]);
    return s;
  }

  static void assertMatchesOneWorkerOnTheUnion(JavaSparkContext sc, int workers, int chunkFloats) {
    ParameterAveraging pa = new ParameterAveraging(sc, workers, chunkFloats);
    Map<String, float[]> dist = init();
    Map<String, float[]> single = init();
    for (long round = 0; round < 6; round++) {
      long base = round * BATCH * workers;
      dist = pa.round(round, dist, (w, n, r, st) -> sgdStep(st, r * BATCH * n + (long) w * BATCH, BATCH));
      single = sgdStep(single, base, BATCH * workers);
    }
    for (String k : single.keySet()) {
      float[] a = dist.get(k);
      float[] b = single.get(k);
      for (int i = 0; i < a.length; i++) {
        assertEquals(b[i], a[i], 1e-6 * Math.max(1, Math.abs(b[i])), k + "[" + i + "]");
      }
    }
    assertTrue(Math.abs(single.get("w")[DIM - 1]) > 0.05, "the model actually moved");
  }

  @Test
  void twoWorkersInLocalModeEqualOneWorkerOnTheDoubleBatch() {
    SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("pa-local").set("spark.ui.enabled", "false");
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      // chunks of 3 floats force the state (8 floats) across three chunks and tensor boundaries
      assertMatchesOneWorkerOnTheUnion(sc, 2, 3);
    }
  }

  @Test
  void twoExecutorJvmsOnAStandaloneClusterEqualOneWorkerOnTheDoubleBatch() {
    try (StandaloneCluster cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2, 1, "1g")) {
      SparkConf conf = new SparkConf().setAppName("pa-cluster");
      cluster.driverSettings("768m").forEach(conf::set);
      try (JavaSparkContext sc = new JavaSparkContext(conf)) {
        assertMatchesOneWorkerOnTheUnion(sc, 2, FlatLayout.DEFAULT_CHUNK_FLOATS);
      }
    }
  }

  @Test
  void flatLayoutRoundTripsAcrossChunkBoundaries() {
    Map<String, float[]> m = new LinkedHashMap<>();
    m.put("a", new float[] {1, 2, 3, 4, 5});
    m.put("b", new float[] {6});
    m.put("c", new float[] {7, 8, 9});
    FlatLayout l = FlatLayout.of(m, 4);
    assertEquals(3, l.chunks());
    Map<String, float[]> back = l.unflatten(l.flatten(m));
    for (String k : m.keySet()) org.junit.jupiter.api.Assertions.assertArrayEquals(m.get(k), back.get(k));
  }
}
