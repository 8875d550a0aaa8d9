package org.cascadetuner.common.io.cache;

import java.util.List;

/**
 * One immutable Parquet file of a cache table, as a snapshot lists it.
 *
 * @param path relative to the table's root ({@code data/part-….parquet})
 * @param rows rows written to the file
 * @param deleted keys whose rows in this file no longer belong to the table (tombstones; sorted)
 */
public record DataFile(String path, long rows, List<String> deleted) {
  public DataFile {
    deleted = List.copyOf(deleted);
  }

  public DataFile(String path, long rows) {
    this(path, rows, List.of());
  }

  public long liveRows() {
    return rows - deleted.size();
  }
}
