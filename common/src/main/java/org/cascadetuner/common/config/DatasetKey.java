package org.cascadetuner.common.config;

import static org.cascadetuner.common.config.ValueType.bool;
import static org.cascadetuner.common.config.ValueType.choice;
import static org.cascadetuner.common.config.ValueType.integer;
import static org.cascadetuner.common.config.ValueType.real;
import static org.cascadetuner.common.config.ValueType.text;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cascadetuner.common.config.ValueType.Choice;
import org.cascadetuner.common.config.ValueType.Choice.Option;
import org.cascadetuner.common.data.GeometryConfig.CropAspect;
import org.cascadetuner.common.data.GeometryConfig.CropStyle;

/**
 * Every key of a multidatabackend.json entry (spec data-pipeline §2.1–2.3): type, default, which dataset kinds use
 * it, the config.json key it falls back to, and one line of documentation. A default text may hold the
 * placeholders {@code {output_dir}}, {@code {model_family}} and {@code {id}}.
 */
public enum DatasetKey implements KeySpec {
  // every dataset
  ID(text(), null, null, "ite",
      "Dataset name, unique among enabled datasets (required)."),
  TYPE(choice(StorageType.values()), null, null, "ite",
      "Storage (required): `local` (a path or file://, s3a://, hdfs:// URI) or `aws` (an S3 bucket)."),
  DATASET_TYPE(choice(DatasetType.values()).ignoringCase(), DatasetType.IMAGE, null, "ite",
      "`image`, `text_embeds` or `image_embeds` (case-insensitive; `images` is read as `image` with a warning)."),
  DISABLED(bool(), false, null, "ite",
      "Skip this dataset entirely.", "disable"),
  COMPRESS_CACHE(bool(), null, TrainingKey.COMPRESS_DISK_CACHE, "ite",
      "Compress this dataset's cache payloads."),
  AWS_BUCKET_NAME(text(), null, null, "ite",
      "type aws: bucket holding the images or caches."),
  AWS_DATA_PREFIX(text(), "", null, "ite",
      "type aws: key prefix inside the bucket."),
  AWS_ENDPOINT_URL(text(), null, null, "ite",
      "type aws: S3 endpoint (S3-compatible stores)."),
  AWS_REGION_NAME(text(), null, null, "ite",
      "type aws: bucket region."),
  AWS_ACCESS_KEY_ID(text(), null, null, "ite",
      "type aws: access key (never printed; prefer the Hadoop s3a credential providers)."),
  AWS_SECRET_ACCESS_KEY(text(), null, null, "ite",
      "type aws: secret key (never printed; prefer the Hadoop s3a credential providers)."),
  PRESERVE_DATA_BACKEND_CACHE(bool(), false, null, "it",
      "Keep file-listing caches between runs."),

  // image datasets: location and geometry
  INSTANCE_DATA_DIR(text(), null, null, "i",
      "type local: folder of images (trailing / removed); must exist when the caches are built."),
  RESOLUTION(new ValueType.Num(), null, TrainingKey.RESOLUTION, "i",
      "pixel: short edge in px; area: megapixels; pixel_area: edge in px (an integer), converted to area."),
  RESOLUTION_TYPE(choice(DataSettings.ResolutionType.values()), null, TrainingKey.RESOLUTION_TYPE, "i",
      "`pixel`, `area` or `pixel_area` (converted to area with value²/10⁶ before use, spec §2.4)."),
  MINIMUM_IMAGE_SIZE(new ValueType.Num(), null, TrainingKey.MINIMUM_IMAGE_SIZE, "i",
      "Images smaller than this are skipped (unit of resolution_type; 0 or unset: off)."),
  MAXIMUM_IMAGE_SIZE(new ValueType.Num(), null, TrainingKey.MAXIMUM_IMAGE_SIZE, "i",
      "With target_downsample_size and crop: switch on the pre-crop resize (not a size limit, spec §3.6)."),
  TARGET_DOWNSAMPLE_SIZE(new ValueType.Num(), null, TrainingKey.TARGET_DOWNSAMPLE_SIZE, "i",
      "Size of the pre-crop resize."),
  MINIMUM_ASPECT_RATIO(real(0, Double.MAX_VALUE), null, null, "i",
      "Buckets whose aspect key is below this are dropped."),
  MAXIMUM_ASPECT_RATIO(real(0, Double.MAX_VALUE), null, null, "i",
      "Buckets whose aspect key is above this are dropped."),
  CROP(bool(), false, null, "i",
      "Crop to the target (false still trims the alignment excess)."),
  CROP_STYLE(cropStyles(), CropStyle.RANDOM, null, "i",
      "Where the crop window sits: `random`, `center`/`centre`, `corner` or `face`."),
  CROP_ASPECT(cropAspects(), CropAspect.SQUARE, null, "i",
      "Crop shape: `square`, `preserve`, `closest` or `random` (of crop_aspect_buckets)."),
  CROP_ASPECT_BUCKETS(new ValueType.Json("a list of numbers or of {\"aspect\", \"weight\"} objects"), null, null, "i",
      "Aspect ratios for crop_aspect closest/random (weights summing to 1 for random)."),
  BUCKET_RESOLUTIONS(new ValueType.Json("a list"), null, null, "i",
      "Ignored, as in SimpleTuner (no code reads it); a warning says so."),

  // image datasets: captions
  CAPTION_STRATEGY(choice(CaptionConfig.Strategy.values()), null, TrainingKey.CAPTION_STRATEGY, "i",
      "Caption source: `filename`, `textfile`, `instanceprompt` or `parquet` (csv, huggingface, webshart: refused)."),
  INSTANCE_PROMPT(ValueType.textList(false), null, TrainingKey.INSTANCE_PROMPT, "i",
      "Instance prompt, or a list of them."),
  PREPEND_INSTANCE_PROMPT(bool(), null, TrainingKey.PREPEND_INSTANCE_PROMPT, "i",
      "Prefix every caption with \"<instance_prompt> \"."),
  ONLY_INSTANCE_PROMPT(bool(), null, TrainingKey.ONLY_INSTANCE_PROMPT, "i",
      "Every caption becomes the instance prompt."),
  DISABLE_MULTILINE_SPLIT(bool(), false, null, "i",
      "textfile: keep a multi-line caption whole instead of one caption per line."),
  CAPTION_SHUFFLE(new ValueType.Json("an object {enable, count, seed, split_on, position_start, include_original}"),
      null, null, "i",
      "Extra caption variants with shuffled tags."),
  PARQUET(new ValueType.Json("an object {path, filename_column, caption_column, …}"), null, null, "i",
      "Table of file names, captions and sizes for caption_strategy/metadata_backend parquet."),
  METADATA_BACKEND(metadataBackends(), MetadataBackend.DISCOVERY, null, "i",
      "`discovery` (alias `json`, deprecated `filesystem`) or `parquet`."),

  // image datasets: sampling
  REPEATS(integer(0, Long.MAX_VALUE), 0L, null, "i",
      "Extra passes over the dataset per epoch."),
  PROBABILITY(real(0, Double.MAX_VALUE), 1.0, null, "i",
      "Weight in the per-step dataset draw; 0 never draws it."),
  TRAIN_BATCH_SIZE(integer(1, Long.MAX_VALUE).strictText(), null, TrainingKey.TRAIN_BATCH_SIZE, "i",
      "Batch size of this dataset."),
  START_EPOCH(integer(0, Long.MAX_VALUE), 1L, null, "i",
      "First epoch that draws from this dataset."),
  START_STEP(integer(0, Long.MAX_VALUE), 0L, null, "i",
      "First step that draws from this dataset."),
  END_EPOCH(integer(0, Long.MAX_VALUE), null, null, "i",
      "Last epoch that draws from this dataset."),
  END_STEP(integer(0, Long.MAX_VALUE), null, null, "i",
      "Last step that draws from this dataset."),
  MAX_NUM_SAMPLES(integer(1, Long.MAX_VALUE), null, null, "i",
      "Use a deterministic subset of this many images."),

  // image datasets: caches
  TEXT_EMBEDS(text(), null, null, "i",
      "Id of the text_embeds dataset for its captions; unset: the default one.", "text_embed_cache"),
  IMAGE_EMBEDS(text(), null, null, "i",
      "Id of an image_embeds dataset whose storage holds the latents."),
  CACHE_DIR_VAE(text(), "{output_dir}/cache/vae/{model_family}/{id}", null, "i",
      "Latent cache folder; unique per dataset and apart from every text cache."),
  VAE_CACHE_CLEAR_EACH_EPOCH(bool(), false, null, "i",
      "Rebuild buckets and latents every epoch."),
  VAE_CACHE_ONDEMAND(bool(), false, null, "i",
      "Encode latents during training instead of before it."),
  VAE_CACHE_DISABLE(bool(), false, null, "i",
      "Never write latents (implies vae_cache_ondemand)."),
  SKIP_FILE_DISCOVERY(text(), null, TrainingKey.SKIP_FILE_DISCOVERY, "i",
      "Steps to skip: any of `vae aspect text metadata`."),
  SCAN_FOR_ERRORS(bool(), false, null, "i",
      "Check cached latents against the bucket metadata at start."),
  VAE_CACHE_SCAN_BEHAVIOUR(choice(DataSettings.ScanBehaviour.values()), null, TrainingKey.VAE_CACHE_SCAN_BEHAVIOUR,
      "i", "What scan_for_errors does with an inconsistent latent."),
  DELETE_UNWANTED_IMAGES(bool(), null, TrainingKey.DELETE_UNWANTED_IMAGES, "i",
      "Delete too-small images from the source (destructive)."),
  DELETE_PROBLEMATIC_IMAGES(bool(), null, TrainingKey.DELETE_PROBLEMATIC_IMAGES, "i",
      "Delete undecodable images from the source (destructive)."),
  HASH_FILENAMES(bool(), true, null, "i",
      "Always true, as in SimpleTuner (a false value is ignored with a warning)."),
  METADATA_UPDATE_INTERVAL(integer(60, Long.MAX_VALUE), 3600L, null, "i",
      "Seconds between metadata flushes while bucketing."),
  MAX_UPSCALE_THRESHOLD(real(0, Double.MAX_VALUE), null, null, "i",
      "Ignored, as in SimpleTuner (never reaches the runtime config); a warning says so."),
  IGNORE_EPOCHS(bool(), null, null, "i",
      "Deprecated in SimpleTuner, no effect; a warning says so."),

  // text_embeds datasets
  DEFAULT(bool(), false, null, "t",
      "The text cache used by datasets without text_embeds (at most one; else the first)."),
  CACHE_DIR(text(), null, TrainingKey.CACHE_DIR_TEXT, "t",
      "Text-embedding cache folder."),
  CAPTION_FILTER_LIST(new ValueType.Json("a list of strings or a path to a .txt or .json file"), null, null, "t",
      "Filters applied to captions before encoding (spec §4.5)."),
  WRITE_BATCH_SIZE(integer(1, Long.MAX_VALUE), 128L, null, "t",
      "Embeddings written per batch."),
  TEXT_ENCODER_BATCH_SIZE(integer(1, Long.MAX_VALUE), 1L, null, "t",
      "Captions per text-encoder call when pre-computing."),
  TEXT_CACHE_ONDEMAND(bool(), false, null, "t",
      "Encode missing captions during training."),
  TEXT_CACHE_DISABLE(bool(), false, null, "t",
      "Never write embeddings (implies text_cache_ondemand).");

  /** The kinds of dataset cascade-tuner trains from or caches into. */
  public enum Kind { IMAGE, TEXT_EMBEDS, IMAGE_EMBEDS }

  /** SimpleTuner's dataset types; only three are used by a Stage C run. */
  public enum DatasetType implements Spelled {
    IMAGE("image", Kind.IMAGE), VIDEO("video", null), AUDIO("audio", null), CONDITIONING("conditioning", null),
    EVAL("eval", null), TEXT_EMBEDS("text_embeds", Kind.TEXT_EMBEDS), IMAGE_EMBEDS("image_embeds", Kind.IMAGE_EMBEDS),
    CONDITIONING_IMAGE_EMBEDS("conditioning_image_embeds", null), DISTILLATION_CACHE("distillation_cache", null),
    CAPTION("caption", null);
    private final String s;
    private final Kind kind;
    DatasetType(String s, Kind kind) { this.s = s; this.kind = kind; }
    @Override public String spelling() { return s; }
    /** Null when cascade-tuner has no use for this type. */
    public Kind kind() { return kind; }
  }

  /** SimpleTuner's storage types; cascade-tuner reads {@code local} (any Hadoop URI) and {@code aws} (s3a). */
  public enum StorageType implements Spelled {
    LOCAL("local"), AWS("aws"), CSV("csv"), HUGGINGFACE("huggingface"), WEBSHART("webshart"), MEMORY("memory");
    private final String s;
    StorageType(String s) { this.s = s; }
    @Override public String spelling() { return s; }
    public boolean supported() { return this == LOCAL || this == AWS; }
  }

  public enum MetadataBackend { DISCOVERY, PARQUET, HUGGINGFACE, WEBSHART }

  private final ValueType type;
  private final Object defaultValue;
  private final TrainingKey global;
  private final Set<Kind> kinds;
  private final String doc;
  private final List<String> aliases;

  DatasetKey(ValueType type, Object defaultValue, TrainingKey global, String kinds, String doc, String... aliases) {
    this.type = type;
    this.defaultValue = defaultValue;
    this.global = global;
    EnumSet<Kind> k = EnumSet.noneOf(Kind.class);
    if (kinds.contains("i")) k.add(Kind.IMAGE);
    if (kinds.contains("t")) k.add(Kind.TEXT_EMBEDS);
    if (kinds.contains("e")) k.add(Kind.IMAGE_EMBEDS);
    this.kinds = k;
    this.doc = doc;
    this.aliases = List.of(aliases);
  }

  @Override
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public ValueType type() {
    return type;
  }

  /** The table default; see also {@link #global()}, which wins when set. */
  @Override
  public Object defaultValue() {
    return defaultValue;
  }

  /** The config.json key whose value is this key's default, or null. */
  public TrainingKey global() {
    return global;
  }

  public Set<Kind> kinds() {
    return kinds;
  }

  @Override
  public String doc() {
    return doc;
  }

  @Override
  public List<String> aliases() {
    return aliases;
  }

  @Override
  public boolean secret() {
    return this == AWS_ACCESS_KEY_ID || this == AWS_SECRET_ACCESS_KEY;
  }

  private static Choice cropStyles() {
    return new Choice(List.of(new Option("random", CropStyle.RANDOM), new Option("corner", CropStyle.CORNER),
        new Option("center", CropStyle.CENTER), new Option("centre", CropStyle.CENTER),
        new Option("face", CropStyle.FACE)), false);
  }

  private static Choice cropAspects() {
    return new Choice(List.of(new Option("square", CropAspect.SQUARE), new Option("preserve", CropAspect.PRESERVE),
        new Option("random", CropAspect.RANDOM), new Option("closest", CropAspect.CLOSEST)), false);
  }

  private static Choice metadataBackends() {
    return new Choice(List.of(new Option("discovery", MetadataBackend.DISCOVERY),
        new Option("json", MetadataBackend.DISCOVERY), new Option("filesystem", MetadataBackend.DISCOVERY),
        new Option("parquet", MetadataBackend.PARQUET), new Option("huggingface", MetadataBackend.HUGGINGFACE),
        new Option("webshart", MetadataBackend.WEBSHART)), false);
  }

  private static final Map<String, DatasetKey> BY_NAME = new HashMap<>();

  static {
    for (DatasetKey k : values()) {
      BY_NAME.put(k.key(), k);
      for (String a : k.aliases) BY_NAME.put(a, k);
    }
  }

  public static DatasetKey lookup(String name) {
    return BY_NAME.get(name);
  }

  public static List<String> names() {
    return Arrays.stream(values()).map(DatasetKey::key).toList();
  }
}
