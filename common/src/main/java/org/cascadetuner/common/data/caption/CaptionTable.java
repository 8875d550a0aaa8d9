package org.cascadetuner.common.data.caption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.cascadetuner.common.data.PyMath;
import org.cascadetuner.common.io.Storage;

/**
 * The caption table of {@code caption_strategy: parquet} (spec data-pipeline §4.4): a Parquet file, or JSON lines
 * when the path ends in {@code .jsonl}, read once into a map from image id to its captions (and width/height when
 * the table has them, so geometry can run without opening images).
 *
 * <p>As SimpleTuner: the id is {@code str(filename cell)} without its extension unless
 * {@code identifier_includes_extension}; with several caption columns every non-empty one is a caption; a list
 * cell gives one caption per element; the fallback column is used when the caption cell is empty (SimpleTuner
 * only when it is null — an empty string there would otherwise drop the image). Rows without any caption keep
 * their size but no caption; {@link Captions} then reports the image as uncaptioned.
 */
public final class CaptionTable {
  /**
   * The {@code parquet} block of a dataset.
   *
   * @param path the table (local path or Hadoop URI)
   * @param filenameColumn {@code filename_column} ("id")
   * @param captionColumns {@code caption_column}: one or more columns ("description")
   * @param fallbackCaptionColumn {@code fallback_caption_column}, or null
   * @param widthColumn {@code width_column} ("width"); absent columns are fine
   * @param heightColumn {@code height_column} ("height")
   * @param identifierIncludesExtension {@code identifier_includes_extension} (false)
   */
  public record Settings(String path, String filenameColumn, List<String> captionColumns,
      String fallbackCaptionColumn, String widthColumn, String heightColumn, boolean identifierIncludesExtension) {
    public Settings {
      captionColumns = List.copyOf(captionColumns);
      if (captionColumns.isEmpty()) throw new IllegalArgumentException("parquet.caption_column names no column");
    }

    public static Settings defaults(String path) {
      return new Settings(path, "id", List.of("description"), null, "width", "height", false);
    }
  }

  /** One row: its captions (possibly none) and its size when the table has width and height. */
  public record Row(List<String> captions, Long width, Long height) {}

  private final Settings settings;
  private final Map<String, Row> rows;

  private CaptionTable(Settings settings, Map<String, Row> rows) {
    this.settings = settings;
    this.rows = rows;
  }

  public Settings settings() {
    return settings;
  }

  public int size() {
    return rows.size();
  }

  /** The row for a table id (already without extension unless identifier_includes_extension), or null. */
  public Row row(String id) {
    return rows.get(id);
  }

  /**
   * The table id SimpleTuner looks up for an image: every occurrence of {@code instanceDataDir} removed, one
   * leading '/' dropped, the extension cut unless identifier_includes_extension.
   */
  public String idFor(String imagePath, String instanceDataDir) {
    String id = imagePath;
    if (instanceDataDir != null && !instanceDataDir.isEmpty() && id.contains(instanceDataDir)) {
      id = id.replace(instanceDataDir, "");
      if (id.startsWith("/")) id = id.substring(1);
    }
    return settings.identifierIncludesExtension() ? id : PyText.splitextRoot(id);
  }

  public static CaptionTable read(Settings s, Configuration conf) {
    if (!Storage.exists(s.path(), conf)) {
      throw new IllegalArgumentException("parquet.path " + s.path() + " does not exist (caption_strategy parquet)");
    }
    Map<String, Row> rows = s.path().endsWith(".jsonl") ? readJsonLines(s, conf) : readParquet(s, conf);
    return new CaptionTable(s, rows);
  }

  private static Map<String, Row> readJsonLines(Settings s, Configuration conf) {
    ObjectMapper json = new ObjectMapper();
    Map<String, Row> rows = new HashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(Storage.open(s.path(), conf),
        StandardCharsets.UTF_8))) {
      int lineNo = 0;
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        lineNo++;
        if (line.isBlank()) continue;
        JsonNode o = json.readTree(line);
        if (!o.isObject()) throw new IllegalArgumentException(s.path() + " line " + lineNo + ": not a JSON object");
        JsonNode id = o.get(s.filenameColumn());
        if (id == null || id.isNull()) {
          throw new IllegalArgumentException(s.path() + " line " + lineNo + ": no '" + s.filenameColumn()
              + "' (parquet.filename_column)");
        }
        Map<String, List<String>> cells = new HashMap<>();
        for (String col : columns(s)) {
          JsonNode v = o.get(col);
          if (v == null || v.isNull()) continue;
          List<String> vals = new ArrayList<>();
          if (v.isArray()) v.forEach(e -> { if (!e.isNull()) vals.add(jsonText(e)); });
          else vals.add(jsonText(v));
          cells.put(col, vals);
        }
        rows.put(tableId(jsonText(id), s), row(s, cells, number(o.get(s.widthColumn())), number(o.get(s.heightColumn()))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read caption table " + s.path() + ": " + e.getMessage(), e);
    }
    return rows;
  }

  private static Long number(JsonNode n) {
    return n != null && n.isNumber() ? n.asLong() : null;
  }

  private static String jsonText(JsonNode n) {
    if (n.isTextual()) return n.asText();
    if (n.isFloatingPointNumber()) return PyMath.repr(n.asDouble());
    if (n.isBoolean()) return n.asBoolean() ? "True" : "False";
    return n.toString();
  }

  private static Map<String, Row> readParquet(Settings s, Configuration conf) {
    Map<String, Row> rows = new HashMap<>();
    try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), new Path(s.path()))
        .withConf(conf).build()) {
      for (Group g = reader.read(); g != null; g = reader.read()) {
        GroupType schema = g.getType();
        if (!schema.containsField(s.filenameColumn())) {
          throw new IllegalArgumentException("caption table " + s.path() + " has no column '" + s.filenameColumn()
              + "' (parquet.filename_column); columns: " + schema.getFields().stream().map(Type::getName).toList());
        }
        List<String> ids = values(g, s.filenameColumn());
        if (ids.isEmpty()) continue;
        Map<String, List<String>> cells = new HashMap<>();
        for (String col : columns(s)) {
          if (schema.containsField(col) && g.getFieldRepetitionCount(col) > 0) cells.put(col, values(g, col));
        }
        rows.put(tableId(ids.get(0), s), row(s, cells, longValue(g, s.widthColumn()), longValue(g, s.heightColumn())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read caption table " + s.path() + ": " + e.getMessage(), e);
    }
    return rows;
  }

  private static Long longValue(Group g, String col) {
    if (col == null || !g.getType().containsField(col) || g.getFieldRepetitionCount(col) == 0) return null;
    Type t = g.getType().getType(col);
    if (!t.isPrimitive()) return null;
    return switch (t.asPrimitiveType().getPrimitiveTypeName()) {
      case INT32 -> (long) g.getInteger(col, 0);
      case INT64 -> g.getLong(col, 0);
      case FLOAT -> (long) g.getFloat(col, 0);
      case DOUBLE -> (long) g.getDouble(col, 0);
      default -> null;
    };
  }

  /** Every leaf value of a column as text: a plain cell gives one, a repeated or LIST cell gives each element. */
  private static List<String> values(Group g, String col) {
    List<String> out = new ArrayList<>();
    collect(g, g.getType().getFieldIndex(col), out);
    return out;
  }

  private static void collect(Group g, int field, List<String> out) {
    Type t = g.getType().getType(field);
    int n = g.getFieldRepetitionCount(field);
    for (int i = 0; i < n; i++) {
      if (t.isPrimitive()) {
        out.add(primitiveText(g, field, i, t.asPrimitiveType()));
      } else {
        Group child = g.getGroup(field, i);
        for (int f = 0; f < child.getType().getFieldCount(); f++) collect(child, f, out);
      }
    }
  }

  private static String primitiveText(Group g, int field, int i, PrimitiveType t) {
    return switch (t.getPrimitiveTypeName()) {
      case BINARY, FIXED_LEN_BYTE_ARRAY -> g.getString(field, i);
      case INT32 -> Integer.toString(g.getInteger(field, i));
      case INT64 -> Long.toString(g.getLong(field, i));
      case FLOAT -> PyMath.repr(g.getFloat(field, i));
      case DOUBLE -> PyMath.repr(g.getDouble(field, i));
      case BOOLEAN -> g.getBoolean(field, i) ? "True" : "False";
      default -> g.getValueToString(field, i);
    };
  }

  private static List<String> columns(Settings s) {
    List<String> cols = new ArrayList<>(s.captionColumns());
    if (s.fallbackCaptionColumn() != null) cols.add(s.fallbackCaptionColumn());
    return cols;
  }

  private static String tableId(String raw, Settings s) {
    return s.identifierIncludesExtension() ? raw : PyText.splitextRoot(raw);
  }

  private static Row row(Settings s, Map<String, List<String>> cells, Long width, Long height) {
    List<String> captions = new ArrayList<>();
    for (String col : s.captionColumns()) {
      for (String v : cells.getOrDefault(col, List.of())) if (!PyText.strip(v).isEmpty()) captions.add(v);
    }
    if (captions.isEmpty() && s.fallbackCaptionColumn() != null) {
      for (String v : cells.getOrDefault(s.fallbackCaptionColumn(), List.of())) {
        if (!PyText.strip(v).isEmpty()) captions.add(v);
      }
    }
    return new Row(List.copyOf(captions), width, height);
  }
}
