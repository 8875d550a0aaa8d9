package org.cascadetuner.common.data.sampler;

import java.util.ArrayList;
import java.util.List;

/**
 * How parameter averaging shares an epoch's batches among N workers: batch {@code step} of an epoch goes to worker
 * {@code step mod N}. Every batch goes to exactly one worker, the assignment depends only on the (seeded) batch order,
 * loads differ by at most one batch per round, and with one local step per round the workers together process
 * consecutive batches — the same data as synchronous data-parallel training on N·batch images per step.
 *
 * <p>A round hands each worker up to {@code localSteps} ({@code averaging_frequency}) batches and never crosses an
 * epoch boundary, so the last round of an epoch may be short (some workers then get one batch fewer).
 */
public final class WorkerSplit {
  private WorkerSplit() {}

  public static int workerOf(long step, int workers) {
    requireWorkers(workers);
    return (int) Math.floorMod(step, (long) workers);
  }

  /** Partitions batches by {@link #workerOf}, keeping their order within each worker. */
  public static List<List<Batch>> split(List<Batch> batches, int workers) {
    requireWorkers(workers);
    List<List<Batch>> out = new ArrayList<>(workers);
    for (int w = 0; w < workers; w++) out.add(new ArrayList<>());
    for (Batch b : batches) out.get(workerOf(b.step(), workers)).add(b);
    return out;
  }

  /** The next round: up to {@code workers × localSteps} batches from the stream, stopping at the epoch's end. */
  public static List<List<Batch>> nextRound(BucketSampler.Stream stream, int workers, int localSteps) {
    requireWorkers(workers);
    if (localSteps < 1) throw new IllegalArgumentException("averaging_frequency must be >= 1, got " + localSteps);
    List<Batch> round = new ArrayList<>();
    long limit = (long) workers * localSteps;
    do {
      round.add(stream.next());
    } while (round.size() < limit && !stream.atEpochEnd());
    return split(round, workers);
  }

  private static void requireWorkers(int workers) {
    if (workers < 1) throw new IllegalArgumentException("the number of workers must be >= 1, got " + workers);
  }
}
