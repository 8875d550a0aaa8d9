package org.cascadetuner.common.data.caption;

import static org.cascadetuner.common.data.BucketVectors.checkAll;
import static org.cascadetuner.common.data.BucketVectors.expect;
import static org.cascadetuner.common.data.BucketVectors.strings;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.data.caption.CaptionShuffle.SplitOn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caption, caption_filter and caption_shuffle vectors. "training_caption*" is SimpleTuner's training-path value
 * ({@link Captions#prefixed} of {@link Captions#raw}); "precompute_caption*" is the stripped value, which is what
 * {@link Captions#forImage} gives everywhere in cascade-tuner (one strip, DESIGN decision 3).
 */
class CaptionVectorsTest {
  @TempDir Path tmp;
  private final Configuration conf = new Configuration();

  @Test
  void captionStrategies() {
    checkAll("caption", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      String id = v.get("id").asText();
      CaptionStrategy strategy = CaptionStrategy.valueOf(in.get("caption_strategy").asText().toUpperCase());
      List<String> prompts = in.path("instance_prompt").isArray() ? strings(in.get("instance_prompt"))
          : in.path("instance_prompt").isTextual() ? List.of(in.get("instance_prompt").asText()) : List.of();
      boolean prepend = in.path("prepend_instance_prompt").asBoolean(false);
      CaptionTable table = null;
      CaptionTable.Settings settings = null;
      String dataDir = tmp.resolve(id).toString();
      String image = in.has("image_path") ? in.get("image_path").asText() : "image.png";
      String imagePath = dataDir + "/" + image;
      if (strategy == CaptionStrategy.TEXTFILE) {
        String captionFile = in.has("caption_file") ? in.get("caption_file").asText() : PyText.splitextRoot(image) + ".txt";
        expect("caption file name", dataDir + "/" + captionFile, Captions.captionFile(imagePath));
        write(Path.of(dataDir, captionFile), in.get("caption_file_content").asText());
      }
      if (strategy == CaptionStrategy.PARQUET) {
        settings = new CaptionTable.Settings(dataDir + "/captions.parquet", "filename", List.of("caption"), null,
            "width", "height", in.path("identifier_includes_extension").asBoolean(false));
        CaptionTableTest.writeParquet(Path.of(settings.path()), List.of(in.get("parquet_row")));
        table = CaptionTable.read(settings, conf);
      }
      Captions captions = new Captions(new CaptionConfig(strategy, prompts, prepend, false,
          in.path("disable_multiline_split").asBoolean(false), null, settings, dataDir), table, conf);

      if (ex.has("precompute_paths")) {
        List<String> caps = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (String img : strings(in.get("images"))) {
          for (String c : captions.forImage(img)) {
            caps.add(c);
            paths.add(img);
          }
        }
        expect("precompute_captions", strings(ex.get("precompute_captions")), caps);
        expect("precompute_paths", strings(ex.get("precompute_paths")), paths);
        return;
      }
      List<String> training = captions.raw(imagePath).stream().map(captions::prefixed).toList();
      if (ex.has("training_caption")) expect("training_caption", List.of(ex.get("training_caption").asText()), training);
      if (ex.has("training_caption_choices")) {
        expect("training_caption_choices", strings(ex.get("training_caption_choices")), training);
      }
      if (ex.has("training_caption_value")) {
        JsonNode tv = ex.get("training_caption_value");
        expect("training_caption_value", tv.isArray() ? strings(tv) : List.of(tv.asText()), training);
      }
      if (ex.has("precompute_caption")) {
        expect("precompute_caption", List.of(ex.get("precompute_caption").asText()), captions.forImage(imagePath));
      }
      if (ex.has("precompute_captions")) {
        expect("precompute_captions", strings(ex.get("precompute_captions")), captions.forImage(imagePath));
      }
      if (ex.has("training_caption") && !ex.has("precompute_caption")) {
        expect("final caption (stripped)", List.of(PyText.strip(ex.get("training_caption").asText())),
            captions.forImage(imagePath));
      }
    });
  }

  @Test
  void captionFilter() {
    checkAll("caption_filter", v -> {
      JsonNode in = v.get("input");
      expect("encoded_text", v.get("expected").get("encoded_text").asText(),
          new CaptionFilter(strings(in.get("caption_filter_list"))).apply(in.get("caption").asText()));
    });
  }

  @Test
  void captionShuffle() {
    checkAll("caption_shuffle", v -> {
      JsonNode in = v.get("input");
      JsonNode s = in.get("caption_shuffle");
      CaptionShuffle shuffle = new CaptionShuffle(s.path("count").asInt(1), s.get("seed").asLong(),
          SplitOn.valueOf(s.path("split_on").asText("comma").toUpperCase()), s.path("position_start").asInt(0),
          s.path("include_original").asBoolean(true));
      expect("variants", strings(v.get("expected").get("variants")), shuffle.expand(in.get("caption").asText()));
    });
  }

  private static void write(Path p, String content) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
