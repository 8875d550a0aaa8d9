package org.cascadetuner.common.data.caption;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * The captions of an image (spec data-pipeline §4): the strategy's raw value(s), then caption_shuffle expansion,
 * the instance-prompt prefix, and one {@code strip()} — the only place captions are stripped (DESIGN decision 3), so
 * the text cache is filled and looked up under the same key. Empty captions are dropped; an image left with none
 * is uncaptioned (the manifest rejects it), as SimpleTuner drops rows without a caption.
 *
 * <p>SimpleTuner strips only on its pre-compute path and not when training, so a caption with surrounding
 * whitespace misses its own cache entry there (§9.5); {@link #raw} and {@link #prefixed} expose SimpleTuner's
 * training-path value for comparison.
 */
public final class Captions {
  private final CaptionConfig config;
  private final CaptionTable table;
  private final Configuration conf;

  /**
   * @param table the loaded caption table for caption_strategy parquet, else null
   * @param conf Hadoop configuration for text files on s3a/hdfs (unused for local paths)
   */
  public Captions(CaptionConfig config, CaptionTable table, Configuration conf) {
    this.config = config;
    this.table = table;
    this.conf = conf;
    List<String> prompts = config.instancePrompts();
    if (config.strategy() == CaptionStrategy.INSTANCEPROMPT || config.onlyInstancePrompt()) {
      if (prompts.stream().allMatch(p -> PyText.strip(p).isEmpty())) {
        throw new IllegalArgumentException("caption_strategy=" + (config.onlyInstancePrompt() ? "<any> with "
            + "only_instance_prompt" : "instanceprompt") + " needs a non-empty instance_prompt (a string or a list "
            + "of strings)");
      }
    }
    if (config.prependInstancePrompt()) {
      if (prompts.isEmpty()) {
        throw new IllegalArgumentException("prepend_instance_prompt is true but no instance_prompt was provided");
      }
      if (prompts.size() > 1) {
        throw new IllegalArgumentException("prepend_instance_prompt needs one instance_prompt string, got a list of "
            + prompts.size());
      }
    }
    if (config.strategy() == CaptionStrategy.PARQUET && table == null) {
      throw new IllegalArgumentException("caption_strategy parquet needs its caption table loaded (parquet.path "
          + config.table().path() + ")");
    }
  }

  /** The final captions of an image: what is encoded (after the filter) and the text-cache key. */
  public List<String> forImage(String imagePath) {
    List<String> out = new ArrayList<>();
    for (String raw : raw(imagePath)) {
      List<String> variants = config.shuffle() == null ? List.of(raw) : config.shuffle().expand(raw);
      for (String v : variants) {
        String c = PyText.strip(prefixed(v));
        if (!c.isEmpty()) out.add(c);
      }
    }
    return out;
  }

  /** The strategy's value(s) for an image before prefix and stripping (SimpleTuner's training-path value). */
  public List<String> raw(String imagePath) {
    if (config.onlyInstancePrompt()) return strippedPrompts();
    return switch (config.strategy()) {
      case FILENAME -> List.of(PyText.stem(imagePath).replace('_', ' '));
      case TEXTFILE -> textFile(imagePath);
      case INSTANCEPROMPT -> strippedPrompts();
      case PARQUET -> {
        CaptionTable.Row row = table.row(table.idFor(imagePath, config.instanceDataDir()));
        yield row == null ? List.of() : row.captions().stream().map(PyText::strip).toList();
      }
    };
  }

  /** {@code "<instance_prompt> " + caption} when prepend_instance_prompt, else the caption. */
  public String prefixed(String caption) {
    return config.prependInstancePrompt() ? config.instancePrompts().get(0) + " " + caption : caption;
  }

  private List<String> strippedPrompts() {
    List<String> out = new ArrayList<>();
    for (String p : config.instancePrompts()) {
      String s = PyText.strip(p);
      if (!s.isEmpty()) out.add(s);
    }
    return out;
  }

  /** The caption file of an image: its path with the extension replaced by {@code .txt}. */
  public static String captionFile(String imagePath) {
    return PyText.splitextRoot(imagePath) + ".txt";
  }

  private List<String> textFile(String imagePath) {
    String file = captionFile(imagePath);
    if (!Storage.exists(file, conf)) {
      throw new IllegalArgumentException("Caption file " + file + " not found (caption_strategy textfile expects a "
          + ".txt with the image's name beside " + imagePath + ")");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Storage.readAll(file, conf)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("Caption file " + file + " is not valid UTF-8");
    }
    if (config.disableMultilineSplit() || !text.contains("\n")) return List.of(text);
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n", -1)) if (!line.isEmpty()) lines.add(line);
    return lines;
  }
}
