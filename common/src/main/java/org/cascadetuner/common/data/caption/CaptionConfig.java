package org.cascadetuner.common.data.caption;

import java.util.List;
import java.util.Objects;

/**
 * The caption settings of one image dataset (spec data-pipeline §2.1, §4), as configuration parsing resolves them.
 *
 * @param strategy {@code caption_strategy}
 * @param instancePrompts {@code instance_prompt}: empty when unset, one element for a string, several for a list
 * @param prependInstancePrompt {@code prepend_instance_prompt}: captions become {@code "<instance_prompt> <caption>"}
 * @param onlyInstancePrompt {@code only_instance_prompt}: every caption is the instance prompt
 * @param disableMultilineSplit {@code disable_multiline_split}: a text file is one caption even with newlines
 * @param shuffle {@code caption_shuffle} when enabled, else null
 * @param table the {@code parquet} block for caption_strategy parquet, else null
 * @param instanceDataDir {@code instance_data_dir}: removed from image paths to form table ids
 */
public record CaptionConfig(CaptionStrategy strategy, List<String> instancePrompts, boolean prependInstancePrompt,
    boolean onlyInstancePrompt, boolean disableMultilineSplit, CaptionShuffle shuffle, CaptionTable.Settings table,
    String instanceDataDir) {
  public CaptionConfig {
    Objects.requireNonNull(strategy, "strategy");
    instancePrompts = List.copyOf(instancePrompts);
    if (strategy == CaptionStrategy.PARQUET && table == null) {
      throw new IllegalArgumentException("caption_strategy parquet needs a 'parquet' block with at least 'path'");
    }
  }

  /** {@code caption_strategy: filename} with nothing else set (SimpleTuner's default). */
  public static CaptionConfig filename() {
    return new CaptionConfig(CaptionStrategy.FILENAME, List.of(), false, false, false, null, null, null);
  }
}
