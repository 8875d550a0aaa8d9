package org.cascadetuner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cascadetuner.common.config.CaptionConfig.CaptionShuffle.SplitOn;
import org.cascadetuner.common.config.Diagnostic.Severity;
import org.junit.jupiter.api.Test;

class DataBackendTest {

  private Diagnostics d;

  private List<DatasetConfig> read(String json, String... overrides) {
    d = new Diagnostics();
    TrainingConfig training = TrainingConfigReader.read(Vectors.parse("{\"output_dir\": \"/runs/a\"}"),
        List.of(overrides), d.in("config.json", null), d.in("--set", null));
    return DataBackendReader.read(Vectors.parse(json), training, d.in("multidatabackend.json", null));
  }

  private List<String> errorKeys() {
    return d.of(Severity.ERROR).stream().map(Diagnostic::key).toList();
  }

  private static final String IMG = "{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/data/img/\"}";

  @Test
  void placeholdersAreFilledAndATextCacheIsMadeWhenThereIsNone() {
    List<DatasetConfig> ds = read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/data/{id}\","
        + " \"cache_dir_vae\": \"{output_dir}/latents/{model_family}/{id}\"}]");
    assertEquals(List.of(), d.of(Severity.ERROR));
    ImageDataset img = assertInstanceOf(ImageDataset.class, ds.get(0));
    assertEquals("/data/img", img.location());
    assertEquals("/runs/a/latents/stable_cascade/img", img.cacheDirVae());
    TextEmbedDataset text = assertInstanceOf(TextEmbedDataset.class, ds.get(1));
    assertTrue(text.synthesized() && text.isDefault());
    assertEquals("text-embeds", text.id());
    assertEquals("/runs/a/cache/text/stable_cascade", text.cacheDir());
    assertEquals(text.id(), img.textEmbeds());
  }

  @Test
  void disabledEntriesAreSkippedAndTheFirstTextCacheBecomesTheDefault() {
    List<DatasetConfig> ds = read("[" + IMG + ", {\"id\": \"off\", \"disabled\": true, \"crop_style\": \"bad\"},"
        + " {\"id\": \"t1\", \"type\": \"local\", \"dataset_type\": \"text_embeds\", \"cache_dir\": \"/c/1\"},"
        + " {\"id\": \"t2\", \"type\": \"local\", \"dataset_type\": \"TEXT_EMBEDS\", \"cache_dir\": \"/c/2\"}]");
    assertEquals(List.of(), d.of(Severity.ERROR), "a disabled entry is not checked");
    assertEquals(List.of("img", "t1", "t2"), ds.stream().map(DatasetConfig::id).toList());
    assertTrue(((TextEmbedDataset) ds.get(1)).isDefault());
    assertFalse(((TextEmbedDataset) ds.get(2)).isDefault());
    assertEquals("t1", ((ImageDataset) ds.get(0)).textEmbeds());
  }

  @Test
  void referencesToUnknownCachesAreErrors() {
    read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\", \"text_embeds\": \"nope\","
        + " \"image_embeds\": \"gone\"}]");
    List<Diagnostic> errors = d.of(Severity.ERROR);
    assertTrue(errors.get(0).message().contains("Text embed backend nope not found in data backend config file."));
    assertTrue(errors.get(1).message().contains("Could not find image embed backend ID gone"));
  }

  @Test
  void aLatentCacheMayNotBeATextCache() {
    read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\", \"cache_dir_vae\": \"/c/x/\"},"
        + " {\"id\": \"t\", \"type\": \"local\", \"dataset_type\": \"text_embeds\", \"cache_dir\": \"/c/x\"}]");
    assertEquals(List.of("cache_dir_vae"), errorKeys());
    assertTrue(d.of(Severity.ERROR).get(0).message().contains("is the same as the text embed cache directory"));
  }

  @Test
  void everyErrorOfEveryDatasetIsReportedAtOnce() {
    read("[{\"id\": \"a\", \"type\": \"local\", \"instance_data_dir\": \"/d\", \"crop_style\": \"diagonal\","
        + " \"repeats\": -1, \"probability\": \"often\"},"
        + " {\"id\": \"b\", \"type\": \"csv\", \"crop_aspect\": \"closest\", \"start_epoch\": 3},"
        + " {\"type\": \"local\"}]");
    List<Diagnostic> errors = d.of(Severity.ERROR);
    assertEquals(List.of("#3 id", "a crop_style", "a probability", "a repeats", "b crop_aspect_buckets", "b type"),
        errors.stream().map(e -> e.dataset() + " " + e.key()).sorted().toList());
    Diagnostic csv = errors.stream().filter(e -> "type".equals(e.key())).findFirst().orElseThrow();
    assertTrue(csv.message().contains("'csv'") && csv.allowed().contains("'local'"), csv.render());
  }

  @Test
  void anUnknownDatasetKeyWarnsWithTheClosestKey() {
    read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\", \"crop_aspekt\": \"square\"}]");
    assertEquals(List.of(), d.of(Severity.ERROR));
    Diagnostic w = d.of(Severity.WARNING).get(0);
    assertEquals("crop_aspekt", w.key());
    assertTrue(w.message().contains("\"crop_aspect\""), w.message());
  }

  @Test
  void aDatasetNeedsToStartAtTheFirstEpoch() {
    read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\", \"start_epoch\": 2}]");
    assertEquals(List.of("start_epoch"), errorKeys());
  }

  @Test
  void awsStorageBecomesAnS3aLocationAndCredentialsAreNeverShown() {
    List<DatasetConfig> ds = read("[{\"id\": \"s3\", \"type\": \"aws\", \"aws_bucket_name\": \"pics\","
        + " \"aws_data_prefix\": \"/set1\", \"aws_secret_access_key\": \"hunter2\", \"aws_access_key_id\": \"AK\"}]");
    assertEquals(List.of(), d.of(Severity.ERROR));
    ImageDataset img = (ImageDataset) ds.get(0);
    assertEquals("s3a://pics/set1", img.location());
    assertEquals("hunter2", img.values().text(DatasetKey.AWS_SECRET_ACCESS_KEY));
    assertFalse(img.values().toJson(false).toString().contains("hunter2"));
    assertFalse(img.values().toJson(false).toString().contains("\"AK\""));
  }

  @Test
  void captionShuffleAndParquetAreTypedWithTheirDefaults() {
    List<DatasetConfig> ds = read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\","
        + " \"caption_strategy\": \"parquet\", \"metadata_backend\": \"parquet\","
        + " \"parquet\": {\"path\": \"/d/meta.parquet\", \"caption_column\": [\"tags\", \"alt\"]},"
        + " \"caption_shuffle\": {\"count\": 3, \"split_on\": \"space\"}}]", "seed=7");
    assertEquals(List.of(), d.of(Severity.ERROR));
    CaptionConfig c = ((ImageDataset) ds.get(0)).captions();
    assertEquals(List.of("tags", "alt"), c.parquet().captionColumns());
    assertEquals("id", c.parquet().filenameColumn());
    assertEquals(3, c.shuffle().count());
    assertEquals(7L, c.shuffle().seed(), "the seed defaults to config.json's");
    assertEquals(SplitOn.SPACE, c.shuffle().splitOn());

    read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\","
        + " \"caption_shuffle\": {\"count\": 0, \"split_on\": \"tab\", \"position_start\": -1}}]");
    assertEquals(List.of("caption_shuffle.count", "caption_shuffle.split_on", "caption_shuffle.position_start"),
        errorKeys());
  }

  @Test
  void instancePromptFallsBackToConfigJson() {
    List<DatasetConfig> ds = read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\","
        + " \"caption_strategy\": \"instanceprompt\"}]", "instance_prompt=a photo of sks dog");
    assertEquals(List.of(), d.of(Severity.ERROR));
    assertEquals(List.of("a photo of sks dog"), ((ImageDataset) ds.get(0)).captions().instancePrompts());
  }

  @Test
  void aRandomCropNeedsWeightsThatAddUpToOneAndDecimalAspects() {
    read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\", \"crop\": true,"
        + " \"crop_aspect\": \"random\", \"crop_aspect_buckets\": [{\"aspect\": 1.0, \"weight\": 0.5},"
        + " {\"aspect\": 0.75, \"weight\": 0.4}]}]");
    assertEquals(List.of("crop_aspect_buckets"), errorKeys());
    read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\", \"crop\": true,"
        + " \"crop_aspect\": \"random\", \"crop_aspect_buckets\": [1, 1.5]}]");
    assertEquals(List.of("crop_aspect_buckets"), errorKeys());
    List<DatasetConfig> ok = read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\","
        + " \"crop\": true, \"crop_aspect\": \"random\", \"crop_aspect_buckets\": [{\"aspect\": 1.0, \"weight\": 0.5},"
        + " {\"aspect\": 0.75, \"weight\": 0.5}]}]");
    assertEquals(List.of(), errorKeys());
    assertEquals(0.5, ((ImageDataset) ok.get(0)).geometry().cropAspectBuckets().get(1).weight(), 0.0);
  }

  @Test
  void aConfigJsonMinimumImageSizeIsNotConvertedAndThenRefused() {
    read("[" + IMG + "]", "minimum_image_size=768");
    assertEquals(List.of("minimum_image_size"), errorKeys());
    assertTrue(d.of(Severity.ERROR).get(0).value().contains("from config.json"), d.of(Severity.ERROR).toString());
  }

  @Test
  void theErrorShowsTheValueAsWrittenAndAsUsed() {
    read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\", \"maximum_image_size\": 1536}]");
    Diagnostic e = d.of(Severity.ERROR).get(0);
    assertEquals("1536 (2.359296 after pixel_area normalisation)", e.value());
  }

  @Test
  void captionFiltersBelongToTextCaches() {
    List<DatasetConfig> ds = read("[{\"id\": \"img\", \"type\": \"local\", \"instance_data_dir\": \"/d\","
        + " \"caption_filter_list\": [\"a\"]}, {\"id\": \"t\", \"type\": \"local\","
        + " \"dataset_type\": \"text_embeds\", \"caption_filter_list\": [\"^the \", \"s/cat/dog\"]},"
        + " {\"id\": \"u\", \"type\": \"local\", \"dataset_type\": \"text_embeds\","
        + " \"caption_filter_list\": \"filters.txt\"}, {\"id\": \"v\", \"type\": \"local\","
        + " \"dataset_type\": \"video\"}]");
    List<Diagnostic> errors = d.of(Severity.ERROR);
    assertEquals(List.of("caption_filter_list", "dataset_type"), errorKeys());
    assertTrue(errors.get(0).message().contains("caption_filter_list is only a valid setting for text datasets"));
    assertEquals(new CaptionFilter.Inline(List.of("^the ", "s/cat/dog")),
        ((TextEmbedDataset) ds.get(1)).captionFilter());
    assertEquals(new CaptionFilter.FromFile("filters.txt"), ((TextEmbedDataset) ds.get(2)).captionFilter());
  }

  @Test
  void emptyAndNonArrayFilesAreErrors() {
    read("[]");
    assertEquals(1, d.of(Severity.ERROR).size());
    read("{\"id\": \"x\"}");
    assertEquals(1, d.of(Severity.ERROR).size());
    assertNull(d.of(Severity.ERROR).get(0).key());
  }
}
