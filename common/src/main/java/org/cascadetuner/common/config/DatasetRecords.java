package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.cascadetuner.common.config.DataSettings.ResolutionType;
import org.cascadetuner.common.config.DatasetEntryReader.Parsed;
import org.cascadetuner.common.config.DatasetKey.Kind;
import org.cascadetuner.common.config.DatasetKey.StorageType;
import org.cascadetuner.common.data.GeometryConfig;
import org.cascadetuner.common.data.GeometryConfig.AspectChoice;
import org.cascadetuner.common.data.GeometryConfig.CropAspect;
import org.cascadetuner.common.data.GeometryConfig.CropStyle;

/** Turns a parsed entry into its typed record, checking what only the whole entry can tell. */
final class DatasetRecords {
  private DatasetRecords() {}

  static ImageDataset image(Parsed p, String defaultText, List<Parsed> all, TrainingConfig training,
      Diagnostics.Scope d) {
    Map<DatasetKey, Object> v = new EnumMap<>(p.values());
    ImageDatasetRules.check(v, p, d);
    GeometryConfig geometry = geometry(v, training, d);
    CaptionConfig captions = CaptionsReader.read(v, p.raw(), training, d);
    SamplingConfig sampling = new SamplingConfig((Long) v.get(DatasetKey.TRAIN_BATCH_SIZE),
        (Long) v.get(DatasetKey.REPEATS), ((Number) v.get(DatasetKey.PROBABILITY)).doubleValue(),
        (Long) v.get(DatasetKey.START_EPOCH), (Long) v.get(DatasetKey.START_STEP), (Long) v.get(DatasetKey.END_EPOCH),
        (Long) v.get(DatasetKey.END_STEP), (Long) v.get(DatasetKey.MAX_NUM_SAMPLES));

    String text = (String) v.get(DatasetKey.TEXT_EMBEDS);
    if (text == null) {
      v.put(DatasetKey.TEXT_EMBEDS, defaultText);
      text = defaultText;
    } else if (!exists(all, text, Kind.TEXT_EMBEDS)) {
      d.error("text_embeds", "\"" + text + "\"", d.prefix() + "Text embed backend " + text
          + " not found in data backend config file.", "the id of an enabled text_embeds dataset");
    }
    String imageEmbeds = (String) v.get(DatasetKey.IMAGE_EMBEDS);
    if (imageEmbeds != null && !exists(all, imageEmbeds, Kind.IMAGE_EMBEDS)) {
      d.error("image_embeds", "\"" + imageEmbeds + "\"", d.prefix() + "Could not find image embed backend ID "
          + imageEmbeds + ".", "the id of an enabled image_embeds dataset");
    }
    String dir = (String) v.get(DatasetKey.INSTANCE_DATA_DIR);
    if (dir != null && dir.length() > 1 && dir.endsWith("/")) {
      dir = dir.replaceAll("/+$", "");
      v.put(DatasetKey.INSTANCE_DATA_DIR, dir);
    }
    StorageType storage = (StorageType) v.get(DatasetKey.TYPE);
    return new ImageDataset(p.id(), storage, location(storage, dir, v), geometry, captions, sampling, text,
        imageEmbeds, (String) v.get(DatasetKey.CACHE_DIR_VAE), new ResolvedValues<>(DatasetKey.class, v, p.given()));
  }

  static TextEmbedDataset textEmbeds(Parsed p, boolean isDefault, boolean synthesized, Diagnostics.Scope d) {
    Map<DatasetKey, Object> v = new EnumMap<>(p.values());
    v.put(DatasetKey.DEFAULT, isDefault);
    return new TextEmbedDataset(p.id(), (StorageType) v.get(DatasetKey.TYPE), (String) v.get(DatasetKey.CACHE_DIR),
        isDefault, captionFilter((JsonNode) v.get(DatasetKey.CAPTION_FILTER_LIST), d), synthesized,
        new ResolvedValues<>(DatasetKey.class, v, p.given()));
  }

  static ImageEmbedDataset imageEmbeds(Parsed p) {
    return new ImageEmbedDataset(p.id(), (StorageType) p.values().get(DatasetKey.TYPE),
        new ResolvedValues<>(DatasetKey.class, p.values(), p.given()));
  }

  /** The geometry settings in the normalised form the geometry code works on (after §2.4). */
  static GeometryConfig geometry(Map<DatasetKey, Object> v, TrainingConfig training, Diagnostics.Scope d) {
    ResolutionType type = (ResolutionType) v.get(DatasetKey.RESOLUTION_TYPE);
    CropAspect aspect = (CropAspect) v.get(DatasetKey.CROP_ASPECT);
    List<AspectChoice> buckets = CropAspectBuckets.read(aspect, (JsonNode) v.get(DatasetKey.CROP_ASPECT_BUCKETS), d);
    Double min = real(v.get(DatasetKey.MINIMUM_IMAGE_SIZE));
    return new GeometryConfig(
        type == ResolutionType.PIXEL ? GeometryConfig.ResolutionType.PIXEL : GeometryConfig.ResolutionType.AREA,
        real(v.get(DatasetKey.RESOLUTION)),
        min == null || min == 0 ? null : min,
        real(v.get(DatasetKey.MAXIMUM_IMAGE_SIZE)),
        real(v.get(DatasetKey.TARGET_DOWNSAMPLE_SIZE)),
        (Boolean) v.get(DatasetKey.CROP),
        (CropStyle) v.get(DatasetKey.CROP_STYLE),
        aspect,
        buckets,
        (int) training.data().alignment(),
        (int) training.data().rounding(),
        real(v.get(DatasetKey.MINIMUM_ASPECT_RATIO)),
        real(v.get(DatasetKey.MAXIMUM_ASPECT_RATIO)));
  }

  private static String location(StorageType storage, String dir, Map<DatasetKey, Object> v) {
    if (storage != StorageType.AWS) return dir;
    String bucket = (String) v.get(DatasetKey.AWS_BUCKET_NAME);
    if (bucket == null) return null;
    String prefix = ((String) v.get(DatasetKey.AWS_DATA_PREFIX)).replaceAll("^/+", "");
    return "s3a://" + bucket + "/" + prefix;
  }

  private static CaptionFilter captionFilter(JsonNode n, Diagnostics.Scope d) {
    if (n == null) return new CaptionFilter.None();
    if (n.isTextual()) return new CaptionFilter.FromFile(n.textValue());
    List<String> entries = new ArrayList<>();
    for (JsonNode e : n) entries.add(e.isTextual() ? e.textValue() : null);
    if (!n.isArray() || entries.contains(null)) {
      String allowed = DatasetKey.CAPTION_FILTER_LIST.type().describe();
      d.error("caption_filter_list", n.toString(), d.prefix() + "caption_filter_list must be " + allowed + ".",
          allowed);
      return new CaptionFilter.None();
    }
    return new CaptionFilter.Inline(entries);
  }

  private static boolean exists(List<Parsed> all, String id, Kind kind) {
    return all.stream().anyMatch(p -> p.kind() == kind && p.id().equals(id));
  }

  private static Double real(Object n) {
    return n == null ? null : ((Number) n).doubleValue();
  }
}
