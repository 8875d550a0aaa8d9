package org.cascadetuner.common.io.cache;

import java.util.List;
import java.util.Map;

/**
 * A committed state of a cache table: which data files (minus their tombstones) make up the table at
 * {@code version}. Snapshots are whole lists, so a reader never sees half of a commit.
 *
 * @param properties what produced this state (provenance, run report figures), free-form
 */
public record Snapshot(long version, String writer, String committedAt, List<DataFile> files,
    Map<String, String> properties) {
  public Snapshot {
    files = List.copyOf(files);
    properties = Map.copyOf(properties);
  }

  public long liveRows() {
    return files.stream().mapToLong(DataFile::liveRows).sum();
  }

  static Snapshot empty() {
    return new Snapshot(0, "", "", List.of(), Map.of());
  }
}
