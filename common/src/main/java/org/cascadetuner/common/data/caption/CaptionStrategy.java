package org.cascadetuner.common.data.caption;

/** {@code caption_strategy} values cascade-tuner reads (spec data-pipeline §4); csv/huggingface/webshart are not. */
public enum CaptionStrategy {
  /** The file name's stem with underscores as spaces (§4.1). */
  FILENAME,
  /** {@code <image path without extension>.txt}, one caption per non-empty line (§4.2). */
  TEXTFILE,
  /** The dataset's {@code instance_prompt}, a string or a list (§4.3). */
  INSTANCEPROMPT,
  /** A Parquet or JSON-lines table keyed by image id (§4.4). */
  PARQUET
}
