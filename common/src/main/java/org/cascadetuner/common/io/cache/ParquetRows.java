package org.cascadetuner.common.io.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;

/**
 * Writing and reading cache rows as Parquet without Spark (executors write their partition's file directly; the
 * trainer reads its shard). zstd, and page-size checks every row so 400 KB–4 MB rows do not buffer hundreds of MB
 * before a page is cut (spec/stack.md §4).
 */
public final class ParquetRows {
  private ParquetRows() {}

  /** Row groups of ~128 MB: large enough for scan speed, small enough to read a few at a time. */
  static final long ROW_GROUP_BYTES = 128L << 20;

  public static SimpleGroupFactory rowFactory(MessageType schema) {
    return new SimpleGroupFactory(schema);
  }

  /** Writes rows to {@code table}'s new data file; returns it for the commit. Empty input writes nothing. */
  public static DataFile write(CacheTable table, MessageType schema, Iterable<Group> rows, Configuration conf) {
    String rel = CacheTable.newDataFile();
    long n = 0;
    ParquetWriter<Group> w = null;
    try {
      for (Group g : rows) {
        if (w == null) w = open(table.resolve(rel), schema, conf);
        w.write(g);
        n++;
      }
      if (w != null) w.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + table.resolve(rel) + ": " + e.getMessage(), e);
    }
    return n == 0 ? null : new DataFile(rel, n);
  }

  private static ParquetWriter<Group> open(String uri, MessageType schema, Configuration conf) throws IOException {
    return ExampleParquetWriter.builder(HadoopOutputFile.fromPath(new Path(uri), conf))
        .withConf(conf)
        .withType(schema)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .withCompressionCodec(CompressionCodecName.ZSTD)
        .withRowGroupSize(ROW_GROUP_BYTES)
        .withMinRowCountForPageSizeCheck(1)
        .withMaxRowCountForPageSizeCheck(16)
        .withDictionaryEncoding(false)
        .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
        .build();
  }

  /** Visits the live rows of a snapshot (tombstoned keys skipped), file by file in snapshot order. */
  public static void forEach(CacheTable table, Snapshot snapshot, MessageType schema, Configuration conf,
      Consumer<Group> visitor) {
    for (DataFile f : snapshot.files()) forEach(table, f, schema, conf, visitor);
  }

  public static void forEach(CacheTable table, DataFile file, MessageType schema, Configuration conf,
      Consumer<Group> visitor) {
    String key = CacheSchemas.keyColumn(schema);
    Set<String> deleted = new HashSet<>(file.deleted());
    Configuration c = new Configuration(conf);
    c.set(GroupReadSupport.PARQUET_READ_SCHEMA, schema.toString());
    try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(),
        new Path(table.resolve(file.path()))).withConf(c).build()) {
      for (Group g = r.read(); g != null; g = r.read()) {
        if (deleted.isEmpty() || !deleted.contains(g.getString(key, 0))) visitor.accept(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + table.resolve(file.path()) + ": " + e.getMessage(), e);
    }
  }

  /** All live rows' keys of a snapshot (reads only the key column). */
  public static List<String> keys(CacheTable table, Snapshot snapshot, MessageType schema, Configuration conf) {
    String key = CacheSchemas.keyColumn(schema);
    MessageType keyOnly = new MessageType(schema.getName(), schema.getType(key));
    List<String> out = new java.util.ArrayList<>();
    forEach(table, snapshot, keyOnly, conf, g -> out.add(g.getString(key, 0)));
    return out;
  }
}
