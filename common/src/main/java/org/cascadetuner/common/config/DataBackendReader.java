package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cascadetuner.common.config.DatasetEntryReader.Parsed;
import org.cascadetuner.common.config.DatasetKey.Kind;
import org.cascadetuner.common.config.DatasetKey.StorageType;

/**
 * Reads multidatabackend.json (spec data-pipeline §1, §2): the list, placeholders, disabled entries, each entry,
 * then the rules between datasets — unique ids, the default text-embed dataset (made when there is none), the
 * text_embeds/image_embeds references, distinct cache folders, and a dataset that starts at the first epoch.
 */
public final class DataBackendReader {
  private DataBackendReader() {}

  public static List<DatasetConfig> read(JsonNode root, TrainingConfig training, Diagnostics.Scope file) {
    if (root == null) return List.of();
    if (!root.isArray()) {
      file.error(null, null, "multidatabackend.json must be a JSON array of dataset objects.", null);
      return List.of();
    }
    if (root.isEmpty()) {
      file.error(null, "[]", "The data backend config lists no dataset; it needs at least one image dataset.", null);
      return List.of();
    }
    List<Parsed> parsed = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      Parsed p = entry(i, root.get(i), training, file);
      if (p != null) parsed.add(p);
    }
    uniqueIds(parsed, file);
    Parsed defaultText = textEmbeds(parsed, training, file);
    List<DatasetConfig> out = new ArrayList<>();
    for (Parsed p : parsed) {
      Diagnostics.Scope d = file.dataset(p.id());
      out.add(switch (p.kind()) {
        case IMAGE -> DatasetRecords.image(p, defaultText == null ? null : defaultText.id(), parsed, training, d);
        case TEXT_EMBEDS -> DatasetRecords.textEmbeds(p, p == defaultText, false, d);
        case IMAGE_EMBEDS -> DatasetRecords.imageEmbeds(p);
      });
    }
    if (defaultText != null && !parsed.contains(defaultText)) {
      out.add(DatasetRecords.textEmbeds(defaultText, true, true, file));
    }
    cacheDirs(out, file);
    firstEpoch(out, file);
    return List.copyOf(out);
  }

  private static Parsed entry(int index, JsonNode node, TrainingConfig training, Diagnostics.Scope file) {
    if (!node.isObject()) {
      file.error(null, node.toString(), "Entry #" + (index + 1) + " is not a JSON object.", null);
      return null;
    }
    JsonNode idNode = node.get("id");
    String id = idNode != null && idNode.isTextual() && !idNode.textValue().isBlank() ? idNode.textValue() : null;
    Diagnostics.Scope d = file.dataset(id == null ? "#" + (index + 1) : id);
    if (id == null) {
      d.error("id", idNode == null ? null : idNode.toString(), "Each dataset needs a unique 'id' field.",
          "a non-empty string");
      return null;
    }
    if (disabled(node)) {
      d.note("disabled", "true", "Dataset " + id + " is disabled and skipped.");
      return null;
    }
    ObjectNode entry = Placeholders.fill((ObjectNode) node, training, id);
    Kind kind = DatasetEntryReader.kind(entry, d);
    if (kind == null) return null;
    Parsed p = DatasetEntryReader.read(kind, id, entry, training, d);
    storage(p, d);
    return p;
  }

  private static boolean disabled(JsonNode node) {
    for (String k : List.of("disabled", "disable")) {
      JsonNode v = node.get(k);
      try {
        if (v != null && !v.isNull() && (Boolean) ValueType.bool().fromJson(v)) return true;
      } catch (InvalidValue e) {
        return false; // reported when the key itself is read
      }
    }
    return false;
  }

  private static void storage(Parsed p, Diagnostics.Scope d) {
    StorageType type = (StorageType) p.values().get(DatasetKey.TYPE);
    String allowed = "one of ['local', 'aws']";
    if (type == null && !p.raw().has("type")) {
      d.error("type", null, d.prefix() + "type is required: where the dataset's files are.", allowed);
    } else if (type != null && !type.supported()) {
      d.error("type", "\"" + type.spelling() + "\"", d.prefix() + "type '" + type.spelling() + "' is not supported by"
          + " cascade-tuner: use local (a path or file://, s3a://, hdfs:// URI) or aws.", allowed);
    }
  }

  private static void uniqueIds(List<Parsed> parsed, Diagnostics.Scope file) {
    Set<String> seen = new HashSet<>();
    for (Parsed p : parsed) {
      if (!seen.add(p.id())) {
        file.dataset(p.id()).error("id", "\"" + p.id() + "\"", "Each dataset needs a unique 'id' field.",
            "an id no other enabled dataset has");
      }
    }
  }

  /** The default text_embeds dataset: the one marked default, else the first, else one made (spec §1.2). */
  private static Parsed textEmbeds(List<Parsed> parsed, TrainingConfig training, Diagnostics.Scope file) {
    List<Parsed> texts = parsed.stream().filter(p -> p.kind() == Kind.TEXT_EMBEDS).toList();
    if (texts.isEmpty()) {
      ObjectNode made = JsonNodeFactory.instance.objectNode().put("id", "text-embeds").put("type", "local")
          .put("dataset_type", "text_embeds").put("default", true)
          .put("cache_dir", Placeholders.fill("{output_dir}/cache/text/{model_family}", training, "text-embeds"));
      Diagnostics.Scope d = file.dataset("text-embeds");
      d.note(null, null, "No text_embeds dataset: one is made (id text-embeds, cache_dir "
          + made.get("cache_dir").textValue() + "), as SimpleTuner does.");
      return DatasetEntryReader.read(Kind.TEXT_EMBEDS, "text-embeds", made, training, d);
    }
    List<Parsed> defaults =
        texts.stream().filter(p -> Boolean.TRUE.equals(p.values().get(DatasetKey.DEFAULT))).toList();
    if (defaults.size() > 1) {
      file.error("default", "true", "Only one text embed backend can be marked as default. Marked: "
          + String.join(", ", defaults.stream().map(Parsed::id).toList()) + ".", null);
    }
    return defaults.isEmpty() ? texts.get(0) : defaults.get(0);
  }

  /** Latent cache folders differ from each other and from every text cache folder (SimpleTuner errors). */
  private static void cacheDirs(List<DatasetConfig> datasets, Diagnostics.Scope file) {
    Map<String, String> textDirs = new LinkedHashMap<>();
    for (DatasetConfig c : datasets) {
      if (c instanceof TextEmbedDataset t && t.cacheDir() != null) {
        textDirs.putIfAbsent(CachePaths.key(t.cacheDir()), t.id());
      }
    }
    Map<String, String> vaeDirs = new LinkedHashMap<>();
    for (DatasetConfig c : datasets) {
      if (!(c instanceof ImageDataset img) || img.cacheDirVae() == null) continue;
      String k = CachePaths.key(img.cacheDirVae());
      Diagnostics.Scope d = file.dataset(img.id());
      String value = "\"" + img.cacheDirVae() + "\"";
      String other = vaeDirs.putIfAbsent(k, img.id());
      if (other != null) {
        d.error("cache_dir_vae", value, d.prefix() + "VAE image embed cache directory " + img.cacheDirVae()
            + " is the same as another VAE image embed cache directory (dataset " + other + ").",
            "a folder no other dataset caches into");
      }
      if (textDirs.containsKey(k)) {
        d.error("cache_dir_vae", value, d.prefix() + "VAE image embed cache directory " + img.cacheDirVae()
            + " is the same as the text embed cache directory of dataset " + textDirs.get(k) + ".",
            "a folder no other dataset caches into");
      }
    }
  }

  /** SimpleTuner needs a training dataset with start_epoch ≤ 1 and start_step ≤ 1 (spec §1.1). */
  private static void firstEpoch(List<DatasetConfig> datasets, Diagnostics.Scope file) {
    List<ImageDataset> images = datasets.stream().filter(ImageDataset.class::isInstance)
        .map(ImageDataset.class::cast).toList();
    if (images.isEmpty()) {
      file.error(null, null, "No enabled image dataset: there is nothing to train on.", null);
    } else if (images.stream().noneMatch(i -> i.sampling().startEpoch() <= 1 && i.sampling().startStep() <= 1)) {
      file.error("start_epoch", null, "No image dataset starts at the beginning: at least one needs start_epoch <= 1"
          + " and start_step <= 1.", null);
    }
  }
}
