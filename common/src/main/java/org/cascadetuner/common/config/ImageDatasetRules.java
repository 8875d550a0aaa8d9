package org.cascadetuner.common.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.cascadetuner.common.config.DataSettings.ResolutionType;
import org.cascadetuner.common.data.GeometryConfig.CropStyle;

/**
 * SimpleTuner's checks of an image dataset's geometry and schedule settings (spec data-pipeline §2.5, checked on
 * the normalised values), and the warnings for keys SimpleTuner reads but does not use.
 */
final class ImageDatasetRules {
  private ImageDatasetRules() {}

  /** Keys that are accepted but change nothing, each with a warning naming it. */
  static void warnIfIgnored(DatasetKey key, Object value, JsonNode node, Diagnostics.Scope d) {
    String v = node.toString();
    switch (key) {
      case BUCKET_RESOLUTIONS -> d.warning(key.key(), v, d.prefix() + "bucket_resolutions is ignored, as in"
          + " SimpleTuner (no code reads it): buckets follow resolution, crop and crop_aspect.");
      case MAX_UPSCALE_THRESHOLD -> d.warning(key.key(), v, d.prefix() + "max_upscale_threshold is ignored, as in"
          + " SimpleTuner (it never reaches the runtime dataset config).");
      case IGNORE_EPOCHS -> d.warning(key.key(), v, d.prefix() + "ignore_epochs is deprecated and has no effect.");
      case METADATA_BACKEND -> {
        if ("filesystem".equals(node.asText())) {
          d.warning(key.key(), v, d.prefix() + "metadata_backend 'filesystem' is a deprecated name of 'discovery'.");
        }
      }
      case HASH_FILENAMES -> {
        if (Boolean.FALSE.equals(value)) {
          d.warning(key.key(), v, d.prefix() + "hash_filenames is always true, as in SimpleTuner; false is ignored.");
        }
      }
      case CROP_STYLE -> {
        if (value == CropStyle.FACE) {
          d.warning(key.key(), v, d.prefix() + "crop_style 'face' needs a face detector, which cascade-tuner does not"
              + " have: the geometry step refuses it; use center or random.");
        }
      }
      default -> { }
    }
  }

  static void check(Map<DatasetKey, Object> v, DatasetEntryReader.Parsed p, Diagnostics.Scope d) {
    ResolutionType type = (ResolutionType) v.get(DatasetKey.RESOLUTION_TYPE);
    Double max = real(v.get(DatasetKey.MAXIMUM_IMAGE_SIZE));
    Double target = real(v.get(DatasetKey.TARGET_DOWNSAMPLE_SIZE));
    Double min = real(v.get(DatasetKey.MINIMUM_IMAGE_SIZE));
    if (max != null && target == null) {
      d.error("maximum_image_size", shown(p, DatasetKey.MAXIMUM_IMAGE_SIZE, max), d.prefix() + "When a dataset sets"
          + " maximum_image_size, you must also provide a value for `target_downsample_size`.", null);
    }
    if (type == ResolutionType.AREA) {
      lessThan20(DatasetKey.MAXIMUM_IMAGE_SIZE, max, p, d);
      lessThan20(DatasetKey.TARGET_DOWNSAMPLE_SIZE, target, p, d);
      if (min != null && min > 5) {
        d.error("minimum_image_size", shown(p, DatasetKey.MINIMUM_IMAGE_SIZE, min), d.prefix() + "minimum_image_size"
            + " is in megapixels under resolution_type area and must be at most 5; SimpleTuner rejects every image"
            + " (--minimum_image_size was given with a value of " + str(min) + "). A config.json minimum_image_size"
            + " is not converted by pixel_area: set it on the dataset.", "a number of megapixels ≤ 5");
      }
    } else if (type == ResolutionType.PIXEL) {
      atLeast512(DatasetKey.MAXIMUM_IMAGE_SIZE, max, p, d);
      atLeast512(DatasetKey.TARGET_DOWNSAMPLE_SIZE, target, p, d);
    }
    order("epoch", (Long) v.get(DatasetKey.START_EPOCH), (Long) v.get(DatasetKey.END_EPOCH), d);
    order("step", (Long) v.get(DatasetKey.START_STEP), (Long) v.get(DatasetKey.END_STEP), d);
  }

  private static void lessThan20(DatasetKey key, Double value, DatasetEntryReader.Parsed p, Diagnostics.Scope d) {
    if (value != null && value >= 20) {
      d.error(key.key(), shown(p, key, value), d.prefix() + key.key() + " must be less than 20 megapixels when"
          + " resolution_type is area.", "a number of megapixels < 20");
    }
  }

  private static void atLeast512(DatasetKey key, Double value, DatasetEntryReader.Parsed p, Diagnostics.Scope d) {
    if (value != null && value < 512) {
      d.error(key.key(), shown(p, key, value), d.prefix() + key.key() + " must be at least 512 pixels when"
          + " resolution_type is pixel.", "a number of pixels ≥ 512");
    }
  }

  /** What the user wrote, and the value in use when normalisation or config.json changed it. */
  private static String shown(DatasetEntryReader.Parsed p, DatasetKey key, double used) {
    String written = p.written(key);
    String inUse = str(used);
    if (written == null) return inUse + " (from config.json)";
    return written.equals(inUse) ? written : written + " (" + inUse + " after pixel_area normalisation)";
  }

  private static void order(String unit, Long start, Long end, Diagnostics.Scope d) {
    if (end != null && start != null && end < start) {
      d.error("end_" + unit, end.toString(), d.prefix() + "end_" + unit + " (" + end + ") is before start_" + unit
          + " (" + start + ").", "a value ≥ start_" + unit);
    }
  }

  private static Double real(Object n) {
    return n == null ? null : ((Number) n).doubleValue();
  }

  private static String str(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
