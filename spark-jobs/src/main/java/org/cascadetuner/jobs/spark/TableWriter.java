package org.cascadetuner.jobs.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.cascadetuner.common.io.cache.CacheTable;
import org.cascadetuner.common.io.cache.ConcurrentCommitException;
import org.cascadetuner.common.io.cache.DataFile;
import org.cascadetuner.common.io.cache.ParquetRows;
import org.cascadetuner.common.io.cache.Snapshot;

/**
 * Computes cache rows on the executors and publishes them: every partition writes its rows straight into one new
 * data file of the table (no temporary name, no rename), returns the file's description, and the driver commits the
 * files that successful tasks returned as one snapshot. Files of failed or speculative attempts are never listed,
 * so they are invisible, and {@link CacheTable#vacuum} removes them later.
 */
public final class TableWriter {
  private TableWriter() {}

  /** Turns one partition's work items into cache rows (runs on an executor; load models in per-JVM holders). */
  @FunctionalInterface
  public interface RowMaker<T> extends Serializable {
    Iterator<Group> rows(Iterator<T> items);
  }

  /** Writes the rows of every partition; returns the data files written (empty partitions write none). */
  public static <T> List<DataFile> write(JavaRDD<T> work, String tableRoot, MessageType schema, HadoopConf conf,
      RowMaker<T> maker) {
    String schemaText = schema.toString();
    FlatMapFunction<Iterator<T>, DataFile> task = items -> {
      MessageType s = org.apache.parquet.schema.MessageTypeParser.parseMessageType(schemaText);
      CacheTable table = CacheTable.at(tableRoot, conf.get());
      DataFile f = ParquetRows.write(table, s, () -> maker.rows(items), conf.get());
      return f == null ? java.util.Collections.emptyIterator() : List.of(f).iterator();
    };
    return new ArrayList<>(work.mapPartitions(task).collect());
  }

  /**
   * Commits added files and tombstones on top of the latest snapshot, rebasing once per concurrent commit (the
   * added files stay valid: they are immutable and keyed by content). {@code deletions} maps keys to remove from
   * whatever file holds them in the base; keys absent from the base are ignored.
   */
  public static Snapshot commit(CacheTable table, List<DataFile> added, Set<String> deleteKeys,
      KeyLocator locator, Map<String, String> properties) {
    for (int attempt = 0; ; attempt++) {
      Snapshot base = table.latest();
      Map<String, Set<String>> deletions = deleteKeys.isEmpty() ? Map.of() : locator.locate(base, deleteKeys);
      try {
        return table.commit(base, added, deletions, properties);
      } catch (ConcurrentCommitException e) {
        if (attempt >= 10) throw e;
      }
    }
  }

  /** Finds which data files of a snapshot hold the given keys (file path → keys). */
  @FunctionalInterface
  public interface KeyLocator {
    Map<String, Set<String>> locate(Snapshot base, Set<String> keys);
  }
}
