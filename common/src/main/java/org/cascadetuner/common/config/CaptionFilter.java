package org.cascadetuner.common.config;

import java.util.List;

/** A text_embeds dataset's {@code caption_filter_list}: given inline, or a .txt/.json file to read (spec §4.5). */
public sealed interface CaptionFilter permits CaptionFilter.None, CaptionFilter.Inline, CaptionFilter.FromFile {

  record None() implements CaptionFilter {}

  record Inline(List<String> entries) implements CaptionFilter {
    public Inline {
      entries = List.copyOf(entries);
    }
  }

  record FromFile(String path) implements CaptionFilter {}
}
