package org.cascadetuner.common.data.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Caption tables written here with parquet-hadoop (and as JSON lines), read back through {@link CaptionTable}. */
class CaptionTableTest {
  @TempDir Path tmp;
  private final Configuration conf = new Configuration();

  /** Writes rows of string (or integer) cells with one optional column per key of the first row. */
  static void writeParquet(Path file, List<JsonNode> rows) {
    StringBuilder schema = new StringBuilder("message captions {");
    rows.get(0).fieldNames().forEachRemaining(f -> {
      boolean integral = rows.get(0).get(f).isIntegralNumber();
      schema.append(integral ? " optional int64 " : " optional binary ").append(f).append(integral ? ";" : " (UTF8);");
    });
    schema.append(" }");
    MessageType type = MessageTypeParser.parseMessageType(schema.toString());
    write(file, type, rows.stream().map(r -> {
      Group g = new SimpleGroupFactory(type).newGroup();
      r.fields().forEachRemaining(e -> {
        if (e.getValue().isIntegralNumber()) g.add(e.getKey(), e.getValue().asLong());
        else if (!e.getValue().isNull()) g.add(e.getKey(), e.getValue().asText());
      });
      return g;
    }).toList());
  }

  private static void write(Path file, MessageType type, List<Group> groups) {
    try {
      Files.deleteIfExists(file);
      Files.createDirectories(file.getParent());
      try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toString()))
          .withType(type).withConf(new Configuration()).build()) {
        for (Group g : groups) w.write(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void listCellsSeveralColumnsFallbackAndSizes() {
    MessageType type = MessageTypeParser.parseMessageType("message t { required binary id (UTF8);"
        + " optional group tags (LIST) { repeated group list { optional binary element (UTF8); } }"
        + " optional binary description (UTF8); optional binary alt (UTF8); optional int32 width; optional int64 height; }");
    SimpleGroupFactory f = new SimpleGroupFactory(type);
    Group a = f.newGroup().append("id", "sub/a.jpg").append("description", "  a cat ").append("width", 640)
        .append("height", 480L);
    Group tags = a.addGroup("tags");
    tags.addGroup("list").append("element", "tag one");
    tags.addGroup("list").append("element", "tag two");
    Group b = f.newGroup().append("id", "b.png").append("description", "   ").append("alt", "fallback text");
    Group c = f.newGroup().append("id", "c.png");
    Path file = tmp.resolve("t.parquet");
    write(file, type, List.of(a, b, c));

    CaptionTable t = CaptionTable.read(new CaptionTable.Settings(file.toString(), "id", List.of("description", "tags"),
        "alt", "width", "height", false), conf);
    assertEquals(3, t.size());
    assertEquals(new CaptionTable.Row(List.of("  a cat ", "tag one", "tag two"), 640L, 480L), t.row("sub/a"));
    assertEquals(List.of("fallback text"), t.row("b").captions(), "blank caption → fallback column");
    assertEquals(List.of(), t.row("c").captions());
    assertNull(t.row("c").width());
    assertEquals("sub/a", t.idFor("/data/ds/sub/a.jpg", "/data/ds"));

    Captions caps = new Captions(new CaptionConfig(CaptionStrategy.PARQUET, List.of("ohwx"), true, false, false, null,
        t.settings(), "/data/ds"), t, conf);
    assertEquals(List.of("ohwx a cat", "ohwx tag one", "ohwx tag two"), caps.forImage("/data/ds/sub/a.jpg"));
    Captions plain = new Captions(new CaptionConfig(CaptionStrategy.PARQUET, List.of(), false, false, false, null,
        t.settings(), "/data/ds"), t, conf);
    assertEquals(List.of(), plain.forImage("/data/ds/c.png"), "no caption: uncaptioned");
    assertEquals(List.of(), plain.forImage("/data/ds/missing.png"), "not in the table: uncaptioned");
  }

  @Test
  void jsonLinesTableMatchesTheParquetOne() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> rows = List.of(json.readTree("{\"filename\":\"x/one.jpg\",\"caption\":\"first\",\"width\":10,\"height\":20}"),
        json.readTree("{\"filename\":\"two\",\"caption\":\"second\",\"width\":30,\"height\":40}"));
    Path pq = tmp.resolve("c.parquet");
    writeParquet(pq, rows);
    Path jl = tmp.resolve("c.jsonl");
    Files.writeString(jl, rows.get(0) + "\n\n" + rows.get(1) + "\n");
    for (Path p : List.of(pq, jl)) {
      CaptionTable t = CaptionTable.read(new CaptionTable.Settings(p.toString(), "filename", List.of("caption"), null,
          "width", "height", false), conf);
      assertEquals(Map.of("x/one", new CaptionTable.Row(List.of("first"), 10L, 20L),
          "two", new CaptionTable.Row(List.of("second"), 30L, 40L)),
          Map.of("x/one", t.row("x/one"), "two", t.row("two")), p.toString());
    }
  }

  @Test
  void missingTableAndMissingIdColumnAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CaptionTable.read(
        CaptionTable.Settings.defaults(tmp.resolve("none.parquet").toString()), conf));
    assertTrue(e.getMessage().contains("none.parquet"), e.getMessage());
    Path pq = tmp.resolve("d.parquet");
    try {
      writeParquet(pq, List.of(new ObjectMapper().readTree("{\"name\":\"a\",\"description\":\"b\"}")));
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    e = assertThrows(IllegalArgumentException.class, () -> CaptionTable.read(CaptionTable.Settings.defaults(pq.toString()), conf));
    assertTrue(e.getMessage().contains("'id'") && e.getMessage().contains("filename_column"), e.getMessage());
  }
}
