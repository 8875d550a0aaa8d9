package org.cascadetuner.common.io.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * A cache table: immutable Parquet files under {@code data/} plus numbered snapshots under {@code _snapshots/} that
 * say which files (minus tombstoned keys) form the table. Writers put data files straight at their final names and
 * publish them by committing a new snapshot; nothing is ever renamed, so it is safe on S3, and a killed writer
 * leaves only unreferenced files behind (see {@link #vacuum}).
 *
 * <p>Commits are optimistic: snapshot {@code N+1} is created only if absent (atomic on local disks and HDFS) and
 * read back to check it is ours. On S3, where hadoop-aws 3.3.4 has no conditional PUT, two commits racing in the
 * same instant can end with one replacing the other: the table stays whole (every snapshot is a complete list of
 * immutable files) and the lost run's rows are recomputed by the next refresh, since caches are keyed by content.
 */
public final class CacheTable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String SNAPSHOTS = "_snapshots";
  static final String DATA = "data";

  private final String root;
  private final Configuration conf;

  private CacheTable(String root, Configuration conf) {
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.conf = conf;
  }

  public static CacheTable at(String root, Configuration conf) {
    return new CacheTable(root, conf);
  }

  public String root() {
    return root;
  }

  /** Absolute location of a path relative to the table root. */
  public String resolve(String relative) {
    return root + "/" + relative;
  }

  private Path path(String relative) {
    return new Path(resolve(relative));
  }

  private FileSystem fs() throws IOException {
    return new Path(root).getFileSystem(conf);
  }

  /** A fresh, unique data file name (relative); the caller writes it, then lists it in a commit. */
  public static String newDataFile() {
    return DATA + "/part-" + UUID.randomUUID() + ".parquet";
  }

  /** The latest committed snapshot, or an empty one (version 0) for a table that has none yet. */
  public Snapshot latest() {
    long v = latestVersion();
    return v == 0 ? Snapshot.empty() : read(v);
  }

  long latestVersion() {
    try {
      FileSystem fs = fs();
      Path dir = path(SNAPSHOTS);
      if (!fs.exists(dir)) return 0;
      long max = 0;
      for (FileStatus s : fs.listStatus(dir)) {
        String n = s.getPath().getName();
        if (n.startsWith("v") && n.endsWith(".json")) {
          max = Math.max(max, Long.parseLong(n.substring(1, n.length() - 5)));
        }
      }
      return max;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list snapshots of " + root + ": " + e.getMessage(), e);
    }
  }

  private static String snapshotName(long version) {
    return SNAPSHOTS + "/v" + String.format("%010d", version) + ".json";
  }

  public Snapshot read(long version) {
    try (var in = fs().open(path(snapshotName(version)))) {
      return fromJson(JSON.readTree(in));
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException(root + ": no snapshot version " + version, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read snapshot " + version + " of " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Commits {@code base} plus {@code added} files, with {@code deletions} (file path → keys) tombstoned, as version
   * {@code base.version() + 1}. Throws {@link ConcurrentCommitException} if someone else committed after base.
   */
  public Snapshot commit(Snapshot base, List<DataFile> added, Map<String, Set<String>> deletions,
      Map<String, String> properties) {
    Map<String, DataFile> files = new LinkedHashMap<>();
    for (DataFile f : base.files()) files.put(f.path(), f);
    for (Map.Entry<String, Set<String>> d : deletions.entrySet()) {
      DataFile f = files.get(d.getKey());
      if (f == null) {
        throw new IllegalArgumentException(root + ": cannot delete keys from " + d.getKey()
            + ", which is not in snapshot " + base.version());
      }
      TreeSet<String> keys = new TreeSet<>(f.deleted());
      keys.addAll(d.getValue());
      if (keys.size() >= f.rows()) files.remove(f.path()); // nothing left: drop the file from the table
      else files.put(f.path(), new DataFile(f.path(), f.rows(), new ArrayList<>(keys)));
    }
    for (DataFile f : added) {
      if (files.putIfAbsent(f.path(), f) != null) throw new IllegalArgumentException("file added twice: " + f.path());
    }
    String writer = UUID.randomUUID().toString();
    Snapshot next = new Snapshot(base.version() + 1, writer, Instant.now().toString(),
        new ArrayList<>(files.values()), properties);
    try {
      FileSystem fs = fs();
      try (OutputStream out = fs.create(path(snapshotName(next.version())), false)) {
        out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(next)));
      }
    } catch (FileAlreadyExistsException e) {
      throw new ConcurrentCommitException(root + ": version " + next.version() + " was committed by another writer");
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("already exists")) {
        throw new ConcurrentCommitException(root + ": version " + next.version() + " was committed by another writer");
      }
      throw new UncheckedIOException("cannot commit to " + root + ": " + e.getMessage(), e);
    }
    Snapshot check = read(next.version());
    if (!check.writer().equals(writer)) {
      throw new ConcurrentCommitException(root + ": version " + next.version() + " was taken by writer "
          + check.writer());
    }
    return next;
  }

  /**
   * Deletes data files no snapshot from the latest {@code keepSnapshots} refers to and older than {@code minAge}
   * (younger ones may belong to a writer still running), and snapshots older than those kept. Returns the number of
   * files deleted.
   */
  public int vacuum(int keepSnapshots, Duration minAge) {
    try {
      FileSystem fs = fs();
      long latest = latestVersion();
      Set<String> live = new HashSet<>();
      for (long v = Math.max(1, latest - keepSnapshots + 1); v <= latest; v++) {
        for (DataFile f : read(v).files()) live.add(f.path());
      }
      long cutoff = System.currentTimeMillis() - minAge.toMillis();
      int deleted = 0;
      Path data = path(DATA);
      if (fs.exists(data)) {
        RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it = fs.listFiles(data, false);
        while (it.hasNext()) {
          FileStatus s = it.next();
          String rel = DATA + "/" + s.getPath().getName();
          if (!live.contains(rel) && s.getModificationTime() < cutoff && fs.delete(s.getPath(), false)) deleted++;
        }
      }
      for (long v = 1; v <= latest - keepSnapshots; v++) {
        Path p = path(snapshotName(v));
        if (fs.exists(p) && fs.delete(p, false)) deleted++;
      }
      return deleted;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot vacuum " + root + ": " + e.getMessage(), e);
    }
  }

  private static ObjectNode toJson(Snapshot s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("version", s.version());
    o.put("writer", s.writer());
    o.put("committed_at", s.committedAt());
    ObjectNode props = o.putObject("properties");
    new java.util.TreeMap<>(s.properties()).forEach(props::put);
    ArrayNode files = o.putArray("files");
    for (DataFile f : s.files()) {
      ObjectNode fo = files.addObject();
      fo.put("path", f.path());
      fo.put("rows", f.rows());
      ArrayNode d = fo.putArray("deleted");
      f.deleted().forEach(d::add);
    }
    return o;
  }

  private static Snapshot fromJson(JsonNode o) {
    List<DataFile> files = new ArrayList<>();
    for (JsonNode f : o.path("files")) {
      List<String> deleted = new ArrayList<>();
      f.path("deleted").forEach(d -> deleted.add(d.asText()));
      files.add(new DataFile(f.path("path").asText(), f.path("rows").asLong(), deleted));
    }
    Map<String, String> props = new LinkedHashMap<>();
    o.path("properties").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
    return new Snapshot(o.path("version").asLong(), o.path("writer").asText(), o.path("committed_at").asText(),
        files, props);
  }
}
