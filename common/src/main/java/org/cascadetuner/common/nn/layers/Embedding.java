package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/** Row lookup in a [num, dim] table; backward scatter-adds into the table's gradient (repeated ids accumulate). */
public final class Embedding {
  private final Parameter table;

  public Embedding(Parameter table) {
    this.table = table;
  }

  public static Embedding load(ParameterStore store, String name, long num, long dim) {
    return new Embedding(store.load(name, num, dim));
  }

  public Parameter table() {
    return table;
  }

  public long dim() {
    return table.shape()[1];
  }

  record Ids(int[] ids) implements Saved {
    @Override
    public long bytes() {
      return 4L * ids.length;
    }

    @Override
    public void close() {}
  }

  /** Rows for {@code ids} (flattened), shaped {@code leading ++ [dim]}. */
  public Tensor forward(int[] ids, long[] leading, Tape tape) {
    Backend be = table.value().backend();
    long[] shape = java.util.Arrays.copyOf(leading, leading.length + 1);
    shape[leading.length] = dim();
    if (tape.isRecording()) tape.push(new Ids(ids.clone()));
    try (Tensor rows = be.gatherRows(table.value(), ids)) {
      return be.reshape(rows, shape);
    }
  }

  /** Adds the rows of {@code dy} to the table's gradient (when trainable). */
  public void backward(Tensor dy, Tape tape) {
    Ids s = tape.pop(Ids.class);
    if (!table.trainable()) return;
    Backend be = dy.backend();
    try (Tensor rows = be.reshape(dy, -1, dim())) {
      be.scatterAddRows(table.grad(), s.ids(), rows);
    }
  }
}
