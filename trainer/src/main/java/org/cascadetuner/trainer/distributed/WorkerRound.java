package org.cascadetuner.trainer.distributed;

import java.io.Serializable;
import java.util.Map;

/**
 * What one worker does in one averaging round: start from the averaged state, train locally (its share of the
 * round's batches, {@code averaging_frequency} steps), and return its new state (same names and sizes). Runs inside
 * an executor; heavy, frozen things (base weights, caches) belong in per-JVM holders, not in this object, which is
 * serialised to every task.
 */
@FunctionalInterface
public interface WorkerRound extends Serializable {
  Map<String, float[]> train(int worker, int workers, long round, Map<String, float[]> state);
}
