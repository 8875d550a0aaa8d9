package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cascadetuner.common.config.DatasetKey.DatasetType;
import org.cascadetuner.common.config.DatasetKey.Kind;

/**
 * Reads one multidatabackend.json entry against the {@link DatasetKey} table: its kind, each key's typed value
 * (errors for refused values, warnings for unknown, ignored or reinterpreted keys), then defaults from the table or
 * from config.json. The pixel_area normalisation runs first; the per-kind rules run last.
 */
final class DatasetEntryReader {
  private DatasetEntryReader() {}

  /**
   * An entry's kind and values, before the cross-dataset rules and the typed records.
   *
   * @param raw the entry after pixel_area normalisation
   * @param original the entry as written (placeholders filled), for showing users their own values
   */
  record Parsed(Kind kind, String id, Map<DatasetKey, Object> values, Set<DatasetKey> given, ObjectNode raw,
      ObjectNode original) {

    /** The value as the user wrote it, as JSON text; null when the entry does not set the key. */
    String written(DatasetKey key) {
      JsonNode n = original.get(key.key());
      return n == null ? null : n.toString();
    }
  }

  /** The kind named by {@code dataset_type}, or null after an error ({@code images} is read as image). */
  static Kind kind(ObjectNode entry, Diagnostics.Scope d) {
    JsonNode t = entry.get("dataset_type");
    if (t == null || t.isNull()) return Kind.IMAGE;
    if (t.isTextual() && t.textValue().trim().equalsIgnoreCase("images")) {
      d.warning("dataset_type", t.toString(), d.prefix() + "dataset_type " + t + " is read as \"image\""
          + " (SimpleTuner rejects it: Unknown dataset_type: " + t.textValue() + ").");
      return Kind.IMAGE;
    }
    try {
      DatasetType type = (DatasetType) DatasetKey.DATASET_TYPE.type().fromJson(t);
      if (type.kind() != null) return type.kind();
      d.error("dataset_type", t.toString(), d.prefix() + "dataset_type '" + type.spelling()
          + "' is not used by a Stage C run; cascade-tuner reads image, text_embeds and image_embeds datasets.",
          "one of ['image', 'text_embeds', 'image_embeds']");
    } catch (InvalidValue e) {
      d.error("dataset_type", t.toString(), d.prefix() + "Unknown dataset_type: " + t.asText() + ".", e.allowed());
    }
    return null;
  }

  static Parsed read(Kind kind, String id, ObjectNode entry, TrainingConfig training, Diagnostics.Scope d) {
    ObjectNode raw = entry;
    if (kind == Kind.IMAGE) {
      ResolvedValues<TrainingKey> g = training.values();
      raw = PixelAreaNormalisation.apply(entry, (Number) g.get(TrainingKey.RESOLUTION),
          ((Spelled) g.get(TrainingKey.RESOLUTION_TYPE)).spelling(), d);
    }
    Map<DatasetKey, Object> values = new EnumMap<>(DatasetKey.class);
    Set<DatasetKey> given = EnumSet.noneOf(DatasetKey.class);
    for (Iterator<Map.Entry<String, JsonNode>> it = raw.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      readField(kind, f.getKey(), f.getValue(), values, given, d);
    }
    fillDefaults(kind, id, values, given, training);
    values.put(DatasetKey.DATASET_TYPE, switch (kind) {
      case IMAGE -> DatasetType.IMAGE;
      case TEXT_EMBEDS -> DatasetType.TEXT_EMBEDS;
      case IMAGE_EMBEDS -> DatasetType.IMAGE_EMBEDS;
    });
    awsKeysOnlyForAws(values, given, d);
    return new Parsed(kind, id, values, given, raw, entry);
  }

  private static void readField(Kind kind, String name, JsonNode node, Map<DatasetKey, Object> values,
      Set<DatasetKey> given, Diagnostics.Scope d) {
    if (name.equals("dataset_type")) return;
    if (name.equals("disable_vae_cache")) {
      d.error(name, node.toString(), d.prefix() + "disable_vae_cache has been removed. Use vae_cache_disable instead.",
          null);
      return;
    }
    DatasetKey key = DatasetKey.lookup(name);
    if (key == null) {
      d.warning(name, node.toString(), d.prefix() + "unknown key \"" + name + "\" is ignored; the closest known key"
          + " is \"" + EditDistance.closest(name, DatasetKey.names()) + "\".");
      return;
    }
    if (!key.kinds().contains(kind)) {
      if (key == DatasetKey.CAPTION_FILTER_LIST) {
        d.error(name, node.toString(), d.prefix() + "caption_filter_list is only a valid setting for text datasets"
            + " (dataset_type text_embeds); set it on the text_embeds dataset this dataset uses.", null);
      } else {
        d.warning(name, node.toString(), d.prefix() + name + " is ignored: it is a setting of "
            + kindsText(key.kinds()) + " datasets, and this one is " + kindText(kind) + ".");
      }
      return;
    }
    if (node.isNull() || (key == DatasetKey.PROBABILITY && node.isTextual() && node.textValue().isEmpty())) return;
    try {
      values.put(key, key.type().fromJson(node));
      given.add(key);
      ImageDatasetRules.warnIfIgnored(key, values.get(key), node, d);
    } catch (InvalidValue e) {
      d.error(name, key.secret() ? "<redacted>" : node.toString(),
          d.prefix() + name + " must be " + e.allowed() + ".", e.allowed());
    }
  }

  private static void fillDefaults(Kind kind, String id, Map<DatasetKey, Object> values, Set<DatasetKey> given,
      TrainingConfig training) {
    ResolvedValues<TrainingKey> g = training.values();
    for (DatasetKey k : DatasetKey.values()) {
      if (!k.kinds().contains(kind) || given.contains(k)) continue;
      Object v = k.global() != null ? g.get(k.global()) : k.defaultValue();
      if (k == DatasetKey.INSTANCE_PROMPT && v instanceof String s) v = List.of(s);
      if (v instanceof String s && s.contains("{")) v = Placeholders.fill(s, training, id);
      values.put(k, v);
    }
    // disabling a cache implies computing on demand (spec §2.1, §2.2)
    if (Boolean.TRUE.equals(values.get(DatasetKey.VAE_CACHE_DISABLE))) {
      values.put(DatasetKey.VAE_CACHE_ONDEMAND, true);
    }
    if (Boolean.TRUE.equals(values.get(DatasetKey.TEXT_CACHE_DISABLE))) {
      values.put(DatasetKey.TEXT_CACHE_ONDEMAND, true);
    }
    if (given.contains(DatasetKey.HASH_FILENAMES)) values.put(DatasetKey.HASH_FILENAMES, true);
  }

  /** The aws_* keys belong to type aws; elsewhere they are dropped (with a warning when given). */
  private static void awsKeysOnlyForAws(Map<DatasetKey, Object> values, Set<DatasetKey> given,
      Diagnostics.Scope d) {
    if (values.get(DatasetKey.TYPE) == DatasetKey.StorageType.AWS) return;
    for (DatasetKey k : DatasetKey.values()) {
      if (!k.key().startsWith("aws_")) continue;
      if (given.remove(k)) {
        d.warning(k.key(), k.secret() ? "<redacted>" : null, d.prefix() + k.key() + " is ignored: it is a setting of"
            + " type aws datasets.");
      }
      values.remove(k);
    }
  }

  static String kindText(Kind k) {
    return k.name().toLowerCase();
  }

  private static String kindsText(Set<Kind> kinds) {
    return String.join("/", kinds.stream().map(DatasetEntryReader::kindText).toList());
  }
}
