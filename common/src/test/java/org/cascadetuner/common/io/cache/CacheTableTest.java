package org.cascadetuner.common.io.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheTableTest {
  @TempDir Path tmp;
  final Configuration conf = new Configuration();

  static List<Group> latents(int from, int to, int bytesPerRow) {
    SimpleGroupFactory f = ParquetRows.rowFactory(CacheSchemas.LATENTS);
    List<Group> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      byte[] b = new byte[bytesPerRow];
      new Random(i).nextBytes(b);
      rows.add(f.newGroup().append("id", "img/" + i + ".png").append("sha256", "h" + i).append("bucket", "1.0")
          .append("dtype", "F32").append("channels", 16).append("height", 2).append("width", bytesPerRow / 128)
          .append("latent", Binary.fromConstantByteArray(b)).append("fingerprint", "fp"));
    }
    return rows;
  }

  static List<String> ids(CacheTable t, Snapshot s, Configuration conf) {
    List<String> out = new ArrayList<>();
    ParquetRows.forEach(t, s, CacheSchemas.LATENTS, conf, g -> out.add(g.getString("id", 0)));
    return out;
  }

  @Test
  void commitsTombstonesAndReadsBackLiveRows() {
    CacheTable t = CacheTable.at(tmp.resolve("latents").toString(), conf);
    assertEquals(0, t.latest().version());
    DataFile a = ParquetRows.write(t, CacheSchemas.LATENTS, latents(0, 5, 1024), conf);
    DataFile b = ParquetRows.write(t, CacheSchemas.LATENTS, latents(5, 8, 1024), conf);
    Snapshot s1 = t.commit(t.latest(), List.of(a, b), Map.of(), Map.of("run", "1"));
    assertEquals(1, s1.version());
    assertEquals(8, s1.liveRows());
    Snapshot s2 = t.commit(s1, List.of(), Map.of(a.path(), Set.of("img/1.png", "img/3.png")), Map.of("run", "2"));
    assertEquals(List.of("img/0.png", "img/2.png", "img/4.png", "img/5.png", "img/6.png", "img/7.png"),
        ids(t, t.latest(), conf));
    assertEquals(6, s2.liveRows());
    assertEquals(s2, t.latest());
    assertEquals("2", t.latest().properties().get("run"));
    // the data itself survives the trip
    ParquetRows.forEach(t, s2, CacheSchemas.LATENTS, conf, g -> {
      byte[] expect = new byte[1024];
      int i = Integer.parseInt(g.getString("id", 0).replaceAll("\\D", ""));
      new Random(i).nextBytes(expect);
      assertArrayEquals(expect, g.getBinary("latent", 0).getBytes());
    });
    // deleting every row of a file drops the file
    Snapshot s3 = t.commit(s2, List.of(), Map.of(b.path(), Set.of("img/5.png", "img/6.png", "img/7.png")), Map.of());
    assertEquals(1, s3.files().size());
    assertEquals(List.of("img/0.png", "img/2.png", "img/4.png"), ParquetRows.keys(t, s3, CacheSchemas.LATENTS, conf));
  }

  @Test
  void aSecondCommitOnTheSameBaseIsRefused() {
    CacheTable t = CacheTable.at(tmp.resolve("t").toString(), conf);
    Snapshot base = t.latest();
    t.commit(base, List.of(ParquetRows.write(t, CacheSchemas.LATENTS, latents(0, 2, 256), conf)), Map.of(), Map.of());
    DataFile other = ParquetRows.write(t, CacheSchemas.LATENTS, latents(2, 4, 256), conf);
    assertThrows(ConcurrentCommitException.class, () -> t.commit(base, List.of(other), Map.of(), Map.of()));
    // rebased, it goes through and the table holds both
    t.commit(t.latest(), List.of(other), Map.of(), Map.of());
    assertEquals(4, t.latest().liveRows());
  }

  @Test
  void vacuumRemovesOnlyUnreferencedOldFiles() throws Exception {
    CacheTable t = CacheTable.at(tmp.resolve("v").toString(), conf);
    DataFile kept = ParquetRows.write(t, CacheSchemas.LATENTS, latents(0, 2, 256), conf);
    t.commit(t.latest(), List.of(kept), Map.of(), Map.of());
    DataFile orphan = ParquetRows.write(t, CacheSchemas.LATENTS, latents(2, 4, 256), conf); // a killed writer's file
    assertEquals(0, t.vacuum(5, Duration.ofHours(1)), "young orphans may belong to a running writer");
    assertEquals(1, t.vacuum(5, Duration.ZERO));
    assertTrue(Files.exists(tmp.resolve("v").resolve(kept.path())));
    assertTrue(Files.notExists(tmp.resolve("v").resolve(orphan.path())));
    assertNull(ParquetRows.write(t, CacheSchemas.LATENTS, List.of(), conf), "no rows, no file");
  }

  @Test
  void largeRowsStayWithinModestMemory() {
    // 40 rows of 4 MB: with Parquet's defaults one page would buffer them all before zstd doubles it
    CacheTable t = CacheTable.at(tmp.resolve("big").toString(), conf);
    DataFile f = ParquetRows.write(t, CacheSchemas.LATENTS, () -> latents(0, 40, 4 << 20).iterator(), conf);
    t.commit(t.latest(), List.of(f), Map.of(), Map.of());
    assertEquals(40, ids(t, t.latest(), conf).size());
    try (Stream<Path> s = Files.list(tmp.resolve("big").resolve("data"))) {
      assertEquals(1, s.filter(p -> p.toString().endsWith(".parquet")).count());
    } catch (java.io.IOException e) {
      throw new RuntimeException(e);
    }
  }
}
