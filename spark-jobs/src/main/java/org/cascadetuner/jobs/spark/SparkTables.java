package org.cascadetuner.jobs.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.regexp_extract;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.cascadetuner.common.io.cache.CacheTable;
import org.cascadetuner.common.io.cache.DataFile;
import org.cascadetuner.common.io.cache.Snapshot;

/** Cache tables as Spark DataFrames: the live rows of a snapshot, and where given keys live. */
public final class SparkTables {
  private SparkTables() {}

  /** The file name part of a data file path (unique: part-UUID.parquet), which survives URI normalisation. */
  static final String FILE_NAME_REGEX = "([^/]+\\.parquet)$";

  /** The snapshot's live rows (tombstoned (file, key) pairs removed), or an empty frame for an empty snapshot. */
  public static Dataset<Row> read(SparkSession spark, CacheTable table, Snapshot snap, StructType schema, String key) {
    if (snap.files().isEmpty()) return spark.createDataFrame(List.of(), schema);
    List<String> paths = snap.files().stream().map(f -> table.resolve(f.path())).toList();
    Dataset<Row> rows = spark.read().schema(schema).parquet(paths.toArray(String[]::new));
    List<Row> dead = new ArrayList<>();
    for (DataFile f : snap.files()) {
      String name = f.path().substring(f.path().lastIndexOf('/') + 1);
      for (String k : f.deleted()) dead.add(RowFactory.create(name, k));
    }
    if (dead.isEmpty()) return rows;
    StructType deadSchema = new StructType().add("_file", DataTypes.StringType).add("_key", DataTypes.StringType);
    Dataset<Row> tomb = spark.createDataFrame(dead, deadSchema);
    Dataset<Row> tagged = rows.withColumn("_file", regexp_extract(input_file_name(), FILE_NAME_REGEX, 1));
    return tagged.join(tomb, tagged.col("_file").equalTo(tomb.col("_file"))
            .and(tagged.col(key).equalTo(tomb.col("_key"))), "left_anti")
        .drop("_file");
  }

  /** The Spark schema of one of our cache schemas (flat columns, and lists of strings). */
  public static StructType sparkSchema(org.apache.parquet.schema.MessageType schema) {
    StructType out = new StructType();
    for (org.apache.parquet.schema.Type t : schema.getFields()) {
      boolean nullable = !t.isRepetition(org.apache.parquet.schema.Type.Repetition.REQUIRED);
      org.apache.spark.sql.types.DataType dt;
      if (!t.isPrimitive()) {
        dt = DataTypes.createArrayType(DataTypes.StringType, false);
      } else {
        var p = t.asPrimitiveType();
        dt = switch (p.getPrimitiveTypeName()) {
          case INT32 -> DataTypes.IntegerType;
          case INT64 -> DataTypes.LongType;
          case FLOAT -> DataTypes.FloatType;
          case DOUBLE -> DataTypes.DoubleType;
          case BOOLEAN -> DataTypes.BooleanType;
          case BINARY -> p.getLogicalTypeAnnotation() != null ? DataTypes.StringType : DataTypes.BinaryType;
          default -> throw new IllegalArgumentException("unsupported column type in " + t);
        };
      }
      out = out.add(t.getName(), dt, nullable);
    }
    return out;
  }

  /** A {@link TableWriter.KeyLocator} reading only the key column, in parallel. */
  public static TableWriter.KeyLocator locator(SparkSession spark, CacheTable table, String key) {
    return (base, keys) -> {
      Map<String, Set<String>> out = new HashMap<>();
      if (base.files().isEmpty() || keys.isEmpty()) return out;
      Map<String, String> byName = new HashMap<>();
      for (DataFile f : base.files()) byName.put(f.path().substring(f.path().lastIndexOf('/') + 1), f.path());
      List<String> paths = base.files().stream().map(f -> table.resolve(f.path())).toList();
      StructType keyOnly = new StructType().add(key, DataTypes.StringType, false);
      Dataset<Row> present = spark.read().schema(keyOnly).parquet(paths.toArray(String[]::new))
          .withColumn("_file", regexp_extract(input_file_name(), FILE_NAME_REGEX, 1));
      Dataset<Row> wanted = spark.createDataset(new ArrayList<>(keys), Encoders.STRING()).toDF("_want");
      for (Row r : present.join(wanted, col(key).equalTo(col("_want"))).select("_file", key).collectAsList()) {
        String path = byName.get(r.getString(0));
        if (path != null) out.computeIfAbsent(path, p -> new HashSet<>()).add(r.getString(1));
      }
      return out;
    };
  }
}
