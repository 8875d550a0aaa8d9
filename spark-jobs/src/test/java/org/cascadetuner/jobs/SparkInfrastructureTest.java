package org.cascadetuner.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cascadetuner.jobs.testing.S3ProxyServer;
import org.cascadetuner.jobs.testing.StandaloneCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test harness itself: a real S3 server through s3a, and a standalone cluster of separate executor JVMs. */
class SparkInfrastructureTest {
  @TempDir Path tmp;

  @Test
  void parquetRoundTripsThroughS3aOnAStandaloneClusterOfSeparateJvms() throws Exception {
    try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"), "bucket");
        StandaloneCluster cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2, 1, "1g")) {
      SparkSession.Builder b = SparkSession.builder().appName("infra-test");
      cluster.driverSettings("768m").forEach(b::config);
      s3.s3aSettings().forEach((k, v) -> b.config("spark.hadoop." + k, v));
      SparkSession spark = b.getOrCreate();
      try {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> xs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) xs.add(i);
        // every task reports the process it ran in: two executors, neither of them this JVM
        Set<Long> pids = new HashSet<>(jsc.parallelize(xs, 8)
            .map(x -> ProcessHandle.current().pid()).distinct().collect());
        assertEquals(2, pids.size(), "one executor JVM per worker: " + pids);
        assertFalse(pids.contains(ProcessHandle.current().pid()));

        Dataset<Row> df = spark.createDataset(xs, Encoders.INT()).toDF("x")
            .selectExpr("x", "cast(x * x as long) as sq", "repeat('y', x % 7) as s");
        df.repartition(3).write().parquet("s3a://bucket/infra/table");
        try (Stream<Path> files = Files.walk(s3.bucketDir("bucket"))) {
          assertTrue(files.anyMatch(p -> p.toString().endsWith(".parquet")), "objects landed in the S3 backend");
        }
        Dataset<Row> back = spark.read().parquet("s3a://bucket/infra/table");
        assertEquals(1000, back.count());
        assertEquals(332833500L, back.selectExpr("sum(sq)").first().getLong(0));
        String logs;
        try (Stream<Path> l = Files.list(tmp.resolve("cluster"))) {
          logs = l.filter(p -> p.toString().endsWith(".log")).map(p -> {
            try {
              return Files.readString(p);
            } catch (java.io.IOException e) {
              return "";
            }
          }).collect(Collectors.joining());
        }
        assertFalse(logs.contains(s3.secretKey()), "the S3 secret never reaches a log");
      } finally {
        spark.stop();
      }
    }
  }
}
