package org.cascadetuner.common.config;

import java.util.List;

/**
 * Where an image dataset's captions come from (spec data-pipeline §4).
 *
 * @param instancePrompts {@code instance_prompt} (a list when several), empty when unset
 * @param shuffle null unless {@code caption_shuffle} is given and enabled
 * @param parquet null unless captions or metadata come from a Parquet/JSONL table
 */
public record CaptionConfig(
    Strategy strategy,
    List<String> instancePrompts,
    boolean prependInstancePrompt,
    boolean onlyInstancePrompt,
    boolean disableMultilineSplit,
    CaptionShuffle shuffle,
    ParquetSource parquet) {

  public CaptionConfig {
    instancePrompts = List.copyOf(instancePrompts);
  }

  public enum Strategy implements Spelled {
    FILENAME("filename"), TEXTFILE("textfile"), INSTANCEPROMPT("instanceprompt"), PARQUET("parquet"), CSV("csv"),
    HUGGINGFACE("huggingface"), WEBSHART("webshart");
    private final String s;
    Strategy(String s) { this.s = s; }
    @Override public String spelling() { return s; }
  }

  /**
   * {@code caption_shuffle}: extra caption variants with shuffled tags (spec §4.5). Defaults of absent fields follow
   * the spec's caption_shuffle vectors: split on commas, shuffle from the first tag, keep the original, one variant.
   *
   * @param seed the given seed, else config.json's seed, else null (random)
   */
  public record CaptionShuffle(long count, Long seed, SplitOn splitOn, long positionStart, boolean includeOriginal) {
    public enum SplitOn implements Spelled {
      COMMA("comma"), SPACE("space"), PERIOD("period");
      private final String s;
      SplitOn(String s) { this.s = s; }
      @Override public String spelling() { return s; }
    }
  }

  /**
   * {@code parquet}: a table of file names and captions (spec §4.4). Defaults are SimpleTuner's column names.
   *
   * @param captionColumns one or several caption columns
   */
  public record ParquetSource(
      String path,
      String filenameColumn,
      List<String> captionColumns,
      String fallbackCaptionColumn,
      String widthColumn,
      String heightColumn,
      boolean identifierIncludesExtension,
      String aspectRatioColumn) {
    public ParquetSource {
      captionColumns = List.copyOf(captionColumns);
    }
  }
}
