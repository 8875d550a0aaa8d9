package org.cascadetuner.trainer.distributed;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Synchronous parameter averaging on Spark (DESIGN.md "Distributed training"): each round broadcasts the current
 * trainable state, runs one barrier task per worker, and averages what the workers return. Only the state given
 * here travels (LoRA tensors, or all weights for a full fine-tune, plus optimizer moments when they are averaged);
 * it travels as chunks of at most {@link FlatLayout#chunkFloats()} floats, summed per chunk on the executors so no
 * single object comes near 2 GB. Each chunk is summed in worker order, so a rerun (or a resumed run) averages to
 * the same bits.
 */
public final class ParameterAveraging {
  private final JavaSparkContext sc;
  private final int workers;
  private final int chunkFloats;

  public ParameterAveraging(JavaSparkContext sc, int workers, int chunkFloats) {
    if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, was " + workers);
    this.sc = sc;
    this.workers = workers;
    this.chunkFloats = chunkFloats;
  }

  public ParameterAveraging(JavaSparkContext sc, int workers) {
    this(sc, workers, FlatLayout.DEFAULT_CHUNK_FLOATS);
  }

  public int workers() {
    return workers;
  }

  /** Runs round {@code round} and returns the average of the workers' resulting states. */
  public Map<String, float[]> round(long round, Map<String, float[]> state, WorkerRound work) {
    FlatLayout layout = FlatLayout.of(state, chunkFloats);
    float[][] flat = layout.flatten(state);
    List<Broadcast<float[]>> chunks = new ArrayList<>(flat.length);
    for (float[] c : flat) chunks.add(sc.broadcast(c));
    int n = workers;
    try {
      JavaRDD<Integer> slots = sc.parallelize(IntStream.range(0, n).boxed().toList(), n);
      JavaRDD<Tuple2<Integer, Tuple2<Integer, float[]>>> parts = JavaRDD.fromRDD(
          slots.rdd().barrier().mapPartitions(new WorkerTask(chunks, layout, work, n, round), false,
              ClassTag$.MODULE$.apply(Tuple2.class)),
          ClassTag$.MODULE$.apply(Tuple2.class));
      JavaPairRDD<Integer, Tuple2<Integer, float[]>> results = parts.mapToPair(t -> t);
      List<Tuple2<Integer, float[]>> summed = results.groupByKey(flat.length)
          .mapValues(ParameterAveraging::sumInWorkerOrder).collect();
      float[][] avg = new float[flat.length][];
      for (Tuple2<Integer, float[]> t : summed) {
        float[] s = t._2();
        float inv = 1f / n;
        for (int i = 0; i < s.length; i++) s[i] *= inv;
        avg[t._1()] = s;
      }
      return layout.unflatten(avg);
    } finally {
      for (Broadcast<float[]> b : chunks) b.destroy();
    }
  }

  /** The barrier task of one worker (a Scala function: Spark's barrier API has no Java flavour). */
  private static final class WorkerTask extends AbstractFunction1<scala.collection.Iterator<Integer>,
      scala.collection.Iterator<Tuple2<Integer, Tuple2<Integer, float[]>>>> implements Serializable {
    private final List<Broadcast<float[]>> chunks;
    private final FlatLayout layout;
    private final WorkerRound work;
    private final int workers;
    private final long round;

    WorkerTask(List<Broadcast<float[]>> chunks, FlatLayout layout, WorkerRound work, int workers, long round) {
      this.chunks = chunks;
      this.layout = layout;
      this.work = work;
      this.workers = workers;
      this.round = round;
    }

    @Override
    public scala.collection.Iterator<Tuple2<Integer, Tuple2<Integer, float[]>>> apply(
        scala.collection.Iterator<Integer> it) {
      int worker = it.next();
      float[][] in = new float[chunks.size()][];
      for (int c = 0; c < in.length; c++) in[c] = chunks.get(c).value();
      Map<String, float[]> out = work.train(worker, workers, round, layout.unflatten(in));
      float[][] outFlat = layout.flatten(out);
      // all workers finish their local steps before any result is handed over: one synchronous round
      BarrierTaskContext.get().barrier();
      List<Tuple2<Integer, Tuple2<Integer, float[]>>> pairs = new ArrayList<>(outFlat.length);
      for (int c = 0; c < outFlat.length; c++) pairs.add(new Tuple2<>(c, new Tuple2<>(worker, outFlat[c])));
      return JavaConverters.asScalaIterator(pairs.iterator());
    }
  }

  private static float[] sumInWorkerOrder(Iterable<Tuple2<Integer, float[]>> parts) {
    List<Tuple2<Integer, float[]>> sorted = new ArrayList<>();
    parts.forEach(sorted::add);
    sorted.sort(java.util.Comparator.comparing(Tuple2::_1));
    float[] sum = sorted.get(0)._2().clone();
    for (int w = 1; w < sorted.size(); w++) {
      float[] b = sorted.get(w)._2();
      for (int i = 0; i < sum.length; i++) sum[i] += b[i];
    }
    return sum;
  }
}
