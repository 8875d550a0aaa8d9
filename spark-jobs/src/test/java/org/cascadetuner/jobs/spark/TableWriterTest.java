package org.cascadetuner.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.io.api.Binary;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cascadetuner.common.io.cache.CacheSchemas;
import org.cascadetuner.common.io.cache.CacheTable;
import org.cascadetuner.common.io.cache.DataFile;
import org.cascadetuner.common.io.cache.Snapshot;
import org.cascadetuner.jobs.testing.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableWriterTest {
  @TempDir Path tmp;

  static Iterator<Group> rows(Iterator<Integer> items, boolean failFirstAttemptOfPartition1) {
    if (failFirstAttemptOfPartition1 && TaskContext.get().partitionId() == 1 && TaskContext.get().attemptNumber() == 0) {
      // write some rows, then die mid-partition like a killed executor would
      SimpleGroupFactory f = new SimpleGroupFactory(CacheSchemas.LATENTS);
      List<Group> partial = new ArrayList<>();
      Iterator<Group> real = rows(items, false);
      partial.add(real.next());
      return new Iterator<>() {
        int n;

        @Override
        public boolean hasNext() {
          if (n++ > 2) throw new IllegalStateException("simulated executor loss");
          return true;
        }

        @Override
        public Group next() {
          return real.hasNext() ? real.next() : partial.get(0);
        }
      };
    }
    SimpleGroupFactory f = new SimpleGroupFactory(CacheSchemas.LATENTS);
    List<Group> out = new ArrayList<>();
    items.forEachRemaining(i -> out.add(f.newGroup().append("id", "img/" + i + ".png").append("sha256", "s" + i)
        .append("bucket", i % 2 == 0 ? "1.0" : "0.78").append("dtype", "F32").append("channels", 16)
        .append("height", 1).append("width", 1).append("latent", Binary.fromConstantByteArray(new byte[64]))
        .append("fingerprint", "fp")));
    return out.iterator();
  }

  static Set<String> liveIds(SparkSession spark, CacheTable t) {
    Snapshot s = t.latest();
    Set<String> ids = new TreeSet<>();
    for (Row r : SparkTables.read(spark, t, s, SparkTables.sparkSchema(CacheSchemas.LATENTS), "id")
        .select("id").collectAsList()) {
      assertTrue(ids.add(r.getString(0)), "duplicate row " + r.getString(0));
    }
    return ids;
  }

  void writeCommitTombstone(SparkSession spark, String root, HadoopConf conf, boolean withFailure) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    CacheTable table = CacheTable.at(root, conf.get());
    List<DataFile> files = TableWriter.write(jsc.parallelize(IntStream.range(0, 40).boxed().toList(), 4), root,
        CacheSchemas.LATENTS, conf, it -> rows(it, withFailure));
    assertEquals(4, files.size(), "one file per successful partition");
    TableWriter.commit(table, files, Set.of(), SparkTables.locator(spark, table, "id"), Map.of());
    Set<String> gone = Set.of("img/3.png", "img/17.png", "img/39.png", "img/not-there.png");
    TableWriter.commit(table, List.of(), gone, SparkTables.locator(spark, table, "id"), Map.of("step", "delete"));
    Set<String> expect = new TreeSet<>();
    for (int i = 0; i < 40; i++) if (!gone.contains("img/" + i + ".png")) expect.add("img/" + i + ".png");
    assertEquals(expect, liveIds(spark, table));
  }

  @Test
  void aFailedTaskAttemptLeavesNoTraceInTheTableOnLocalDisk() throws Exception {
    SparkSession spark = SparkSession.builder().master("local[2,2]").appName("tw")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      HadoopConf conf = HadoopConf.of(spark.sparkContext().hadoopConfiguration());
      writeCommitTombstone(spark, tmp.resolve("clean").toString(), conf, false);
      writeCommitTombstone(spark, tmp.resolve("failed").toString(), conf, true);
      try (Stream<Path> s = Files.list(tmp.resolve("failed/data"))) {
        long parquet = s.filter(p -> p.toString().endsWith(".parquet")).count();
        assertTrue(parquet >= 4, "the killed attempt's file may remain on disk (" + parquet + ")");
      }
    } finally {
      spark.stop();
    }
  }

  @Test
  void writesAndTombstonesThroughS3a() {
    try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"), "cache")) {
      SparkSession.Builder b = SparkSession.builder().master("local[2]").appName("tw-s3")
          .config("spark.ui.enabled", "false");
      s3.s3aSettings().forEach((k, v) -> b.config("spark.hadoop." + k, v));
      SparkSession spark = b.getOrCreate();
      try {
        HadoopConf conf = HadoopConf.of(spark.sparkContext().hadoopConfiguration());
        writeCommitTombstone(spark, "s3a://cache/ds/latents", conf, false);
        assertTrue(Files.exists(s3.bucketDir("cache").resolve("ds/latents/_snapshots/v0000000002.json")));
      } finally {
        spark.stop();
      }
    }
  }
}
