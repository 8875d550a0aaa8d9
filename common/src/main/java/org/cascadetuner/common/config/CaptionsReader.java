package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cascadetuner.common.config.CaptionConfig.CaptionShuffle;
import org.cascadetuner.common.config.CaptionConfig.CaptionShuffle.SplitOn;
import org.cascadetuner.common.config.CaptionConfig.ParquetSource;
import org.cascadetuner.common.config.CaptionConfig.Strategy;
import org.cascadetuner.common.config.DatasetKey.MetadataBackend;
import org.cascadetuner.common.config.DatasetKey.StorageType;

/** An image dataset's caption settings and SimpleTuner's rules about them (spec data-pipeline §2.1, §2.5, §4). */
final class CaptionsReader {
  private CaptionsReader() {}

  @SuppressWarnings("unchecked")
  static CaptionConfig read(Map<DatasetKey, Object> v, JsonNode raw, TrainingConfig training, Diagnostics.Scope d) {
    String id = (String) v.get(DatasetKey.ID);
    Strategy strategy = (Strategy) v.get(DatasetKey.CAPTION_STRATEGY);
    List<String> prompts = v.get(DatasetKey.INSTANCE_PROMPT) == null ? List.of()
        : (List<String>) v.get(DatasetKey.INSTANCE_PROMPT);
    boolean prepend = (Boolean) v.get(DatasetKey.PREPEND_INSTANCE_PROMPT);
    boolean only = (Boolean) v.get(DatasetKey.ONLY_INSTANCE_PROMPT);

    if (prompts.isEmpty()) {
      String dataset = d.prefix() + "Dataset " + id + " has ";
      String missing = ", but no instance_prompt was provided: set instance_prompt (here or in config.json).";
      if (strategy == Strategy.INSTANCEPROMPT) {
        d.error("instance_prompt", null, dataset + "caption_strategy=instanceprompt" + missing, null);
      }
      if (prepend) d.error("instance_prompt", null, dataset + "prepend_instance_prompt=True" + missing, null);
      if (only) d.error("instance_prompt", null, dataset + "only_instance_prompt=True" + missing, null);
    }
    StorageType storage = (StorageType) v.get(DatasetKey.TYPE);
    for (Strategy needsOwnStorage : List.of(Strategy.CSV, Strategy.HUGGINGFACE, Strategy.WEBSHART)) {
      if (strategy == needsOwnStorage && (storage == null || !storage.spelling().equals(strategy.spelling()))) {
        d.error("caption_strategy", quote(strategy.spelling()), d.prefix() + "caption_strategy='" + strategy.spelling()
            + "' can only be used with type='" + strategy.spelling() + "' backends.", null);
      }
    }
    MetadataBackend metadata = (MetadataBackend) v.get(DatasetKey.METADATA_BACKEND);
    if (strategy == Strategy.PARQUET && metadata == MetadataBackend.DISCOVERY) {
      JsonNode m = raw.get("metadata_backend");
      String spelled = m != null && m.isTextual() ? m.textValue() : "discovery";
      d.error("caption_strategy", quote("parquet"), d.prefix() + "Cannot use caption_strategy=parquet with"
          + " metadata_backend=" + spelled + ": set metadata_backend to parquet.", null);
    }
    ParquetSource parquet = parquet((JsonNode) v.get(DatasetKey.PARQUET),
        strategy == Strategy.PARQUET || metadata == MetadataBackend.PARQUET, d);
    CaptionShuffle shuffle = shuffle((JsonNode) v.get(DatasetKey.CAPTION_SHUFFLE),
        training.schedule().seed(), d);
    return new CaptionConfig(strategy, prompts, prepend, only, (Boolean) v.get(DatasetKey.DISABLE_MULTILINE_SPLIT),
        shuffle, parquet);
  }

  private static final Set<String> SHUFFLE_FIELDS =
      Set.of("enable", "count", "seed", "split_on", "position_start", "include_original");

  /** {@code caption_shuffle}, validated as SimpleTuner does: split_on, count ≥ 1, position_start ≥ 0. */
  private static CaptionShuffle shuffle(JsonNode o, Long globalSeed, Diagnostics.Scope d) {
    if (o == null) return null;
    if (!o.isObject()) {
      d.error("caption_shuffle", o.toString(), d.prefix() + "caption_shuffle must be an object.",
          DatasetKey.CAPTION_SHUFFLE.type().describe());
      return null;
    }
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!SHUFFLE_FIELDS.contains(f)) {
        d.warning("caption_shuffle." + f, o.get(f).toString(), d.prefix() + "unknown key \"" + f
            + "\" in caption_shuffle is ignored; the closest known key is \"" + EditDistance.closest(f, SHUFFLE_FIELDS)
            + "\".");
      }
    }
    Boolean enable = (Boolean) field(o, "caption_shuffle", "enable", ValueType.bool(), true, d);
    Long count = (Long) field(o, "caption_shuffle", "count", ValueType.integer(1, Long.MAX_VALUE), 1L, d);
    Long seed = (Long) field(o, "caption_shuffle", "seed", ValueType.integer(0, Long.MAX_VALUE), globalSeed, d);
    SplitOn split =
        (SplitOn) field(o, "caption_shuffle", "split_on", ValueType.choice(SplitOn.values()), SplitOn.COMMA, d);
    Long start = (Long) field(o, "caption_shuffle", "position_start", ValueType.integer(0, Long.MAX_VALUE), 0L, d);
    Boolean original = (Boolean) field(o, "caption_shuffle", "include_original", ValueType.bool(), true, d);
    if (enable == null || !enable || count == null || split == null || start == null || original == null) return null;
    return new CaptionShuffle(count, seed, split, start, original);
  }

  /** {@code parquet}: required (with a path) when captions or metadata come from a table. */
  private static ParquetSource parquet(JsonNode o, boolean needed, Diagnostics.Scope d) {
    if (o == null || !o.isObject() || !o.path("path").isTextual()) {
      if (needed || o != null) {
        d.error("parquet", o == null ? null : o.toString(), d.prefix() + "caption_strategy or metadata_backend parquet"
            + " needs a parquet object with a path, e.g. {\"path\": \"captions.parquet\"}.",
            DatasetKey.PARQUET.type().describe());
      }
      return null;
    }
    ValueType text = ValueType.text();
    String filename = (String) field(o, "parquet", "filename_column", text, "id", d);
    List<String> captions = captionColumns(o.get("caption_column"), d);
    String fallback = (String) field(o, "parquet", "fallback_caption_column", text, null, d);
    String width = (String) field(o, "parquet", "width_column", text, "width", d);
    String height = (String) field(o, "parquet", "height_column", text, "height", d);
    Boolean withExt = (Boolean) field(o, "parquet", "identifier_includes_extension", ValueType.bool(), false, d);
    String aspect = (String) field(o, "parquet", "aspect_ratio_column", text, null, d);
    return new ParquetSource(o.get("path").textValue(), filename, captions, fallback, width, height,
        withExt != null && withExt, aspect);
  }

  private static List<String> captionColumns(JsonNode n, Diagnostics.Scope d) {
    if (n == null || n.isNull()) return List.of("description");
    try {
      @SuppressWarnings("unchecked")
      List<String> cols = (List<String>) ValueType.textList(false).fromJson(n);
      return new ArrayList<>(cols);
    } catch (InvalidValue e) {
      d.error("parquet.caption_column", n.toString(), d.prefix() + "parquet.caption_column must be " + e.allowed()
          + ".", e.allowed());
      return List.of("description");
    }
  }

  /** A typed field of a nested object, or {@code dflt} when absent; null after reporting a refused value. */
  private static Object field(JsonNode o, String parent, String name, ValueType type, Object dflt,
      Diagnostics.Scope d) {
    JsonNode n = o.get(name);
    if (n == null || n.isNull()) return dflt;
    try {
      return type.fromJson(n);
    } catch (InvalidValue e) {
      d.error(parent + "." + name, n.toString(), d.prefix() + parent + "." + name + " must be " + e.allowed() + ".",
          e.allowed());
      return null;
    }
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }
}
