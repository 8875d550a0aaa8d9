package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumMap;
import org.cascadetuner.common.config.DatasetKey.Kind;
import org.cascadetuner.common.data.GeometryConfig;

/**
 * The geometry settings of one image-dataset entry as the user wrote it (the input of
 * {@code cascade-tuner geometry --dataset-config}): placeholders, pixel_area normalisation, defaults from
 * config.json and the §2.5 geometry rules, without the checks that need the whole file (id, storage, references).
 */
public final class DatasetGeometry {
  private DatasetGeometry() {}

  /** The geometry; when {@code d} holds errors afterwards, the entry is invalid and this is built from defaults. */
  public static GeometryConfig read(JsonNode entry, TrainingConfig training, Diagnostics.Scope d) {
    if (!entry.isObject()) {
      d.error(null, entry.toString(), "A dataset config must be a JSON object.", null);
      entry = ValueType.NODES.objectNode();
    }
    JsonNode idNode = entry.get("id");
    String id = idNode != null && idNode.isTextual() ? idNode.textValue() : null;
    ObjectNode filled = Placeholders.fill((ObjectNode) entry, training, id);
    Kind kind = DatasetEntryReader.kind(filled, d);
    if (kind != null && kind != Kind.IMAGE) {
      d.error("dataset_type", filled.get("dataset_type").toString(), "Only image datasets have a geometry.",
          "'image'");
    }
    DatasetEntryReader.Parsed p = DatasetEntryReader.read(Kind.IMAGE, id, filled, training, d);
    EnumMap<DatasetKey, Object> v = new EnumMap<>(p.values());
    ImageDatasetRules.check(v, p, d);
    return DatasetRecords.geometry(v, training, d);
  }
}
