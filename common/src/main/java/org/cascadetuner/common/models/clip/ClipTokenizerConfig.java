package org.cascadetuner.common.models.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * The settings around the BPE model: sequence length, the BOS/EOS/pad tokens, and the special tokens split out of
 * the text before tokenization. A special token with {@code normalized = false} is matched in the raw text; one with
 * {@code normalized = true} is matched after NFC / whitespace / lowercase normalization (as Hugging Face's added
 * vocabulary does), so {@code <|STARTOFTEXT|>} also counts for stable-cascade's BOS.
 *
 * @param maxLength padded and truncated length ({@code model_max_length}; CLIP: 77)
 * @param bosToken {@code bos_token}, prepended
 * @param eosToken {@code eos_token}, appended
 * @param padToken {@code pad_token}, fills up to maxLength
 * @param specialTokens every distinct special token (bos, eos, pad, unk) with its matching mode
 */
public record ClipTokenizerConfig(
    int maxLength, String bosToken, String eosToken, String padToken, List<SpecialToken> specialTokens) {

  /** A special token as the folder's {@code special_tokens_map.json} describes it. */
  public record SpecialToken(String content, boolean normalized) {
    public SpecialToken {
      Objects.requireNonNull(content, "content");
      if (content.isEmpty()) throw new IllegalArgumentException("a special token cannot be empty");
    }
  }

  public ClipTokenizerConfig {
    Objects.requireNonNull(bosToken, "bosToken");
    Objects.requireNonNull(eosToken, "eosToken");
    Objects.requireNonNull(padToken, "padToken");
    specialTokens = List.copyOf(specialTokens);
    if (maxLength < 2) {
      throw new IllegalArgumentException("model_max_length is " + maxLength + "; it must leave room for BOS and EOS (>= 2)");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The settings of stabilityai/stable-cascade-prior's {@code tokenizer/} folder (CLIP-G, as laion's): length 77,
   * BOS {@code <|startoftext|>} (normalized), EOS = pad = unk {@code <|endoftext|>} (raw). Used with the built-in
   * vocabulary.
   */
  public static ClipTokenizerConfig stableCascade() {
    return new ClipTokenizerConfig(77, ClipVocabulary.START_OF_TEXT, ClipVocabulary.END_OF_TEXT,
        ClipVocabulary.END_OF_TEXT, List.of(new SpecialToken(ClipVocabulary.START_OF_TEXT, true),
            new SpecialToken(ClipVocabulary.END_OF_TEXT, false)));
  }

  /**
   * Reads {@code tokenizer_config.json} (required: model_max_length, bos/eos/pad tokens) and, when present,
   * {@code special_tokens_map.json} (which wins for the tokens and their {@code normalized} flags). A token given as
   * a plain string is matched in the raw text.
   */
  public static ClipTokenizerConfig fromFolder(String dir, Configuration conf) {
    String configUri = Storage.resolve(dir, "tokenizer_config.json");
    String mapUri = Storage.resolve(dir, "special_tokens_map.json");
    if (!Storage.exists(configUri, conf)) {
      throw new IllegalArgumentException("tokenizer folder " + dir + " has no tokenizer_config.json (it names "
          + "model_max_length and the bos/eos/pad tokens)");
    }
    JsonNode config = readJson(configUri, conf);
    JsonNode map = Storage.exists(mapUri, conf) ? readJson(mapUri, conf) : JSON.createObjectNode();

    JsonNode length = config.get("model_max_length");
    if (length == null || !length.canConvertToInt() || !length.isIntegralNumber()) {
      throw new IllegalArgumentException(configUri + ": model_max_length is " + length + "; expected an integer such "
          + "as 77 (CLIP's context length)");
    }
    for (String side : List.of("padding_side", "truncation_side")) {
      JsonNode v = config.get(side);
      if (v != null && !v.isNull() && !"right".equals(v.asText())) {
        throw new IllegalArgumentException(configUri + ": " + side + " is '" + v.asText() + "'; only 'right' (CLIP's "
            + "and Hugging Face's default) is supported");
      }
    }
    Map<String, SpecialToken> byRole = new LinkedHashMap<>();
    for (String role : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
      JsonNode node = map.has(role) ? map.get(role) : config.get(role);
      String uri = map.has(role) ? mapUri : configUri;
      if (node == null || node.isNull()) continue;
      byRole.put(role, specialToken(node, uri, role));
    }
    for (String role : List.of("bos_token", "eos_token", "pad_token")) {
      if (!byRole.containsKey(role)) {
        throw new IllegalArgumentException(configUri + ": " + role + " is missing; CLIP needs bos_token, eos_token and "
            + "pad_token (stable-cascade: <|startoftext|>, <|endoftext|>, <|endoftext|>)");
      }
    }
    Map<String, SpecialToken> distinct = new LinkedHashMap<>();
    for (Map.Entry<String, SpecialToken> e : byRole.entrySet()) {
      SpecialToken t = e.getValue();
      SpecialToken seen = distinct.putIfAbsent(t.content(), t);
      if (seen != null && seen.normalized() != t.normalized()) {
        throw new IllegalArgumentException(mapUri + ": '" + t.content() + "' is listed both normalized and not; give "
            + "every role of one token the same 'normalized' flag");
      }
    }
    return new ClipTokenizerConfig(length.intValue(), byRole.get("bos_token").content(),
        byRole.get("eos_token").content(), byRole.get("pad_token").content(), new ArrayList<>(distinct.values()));
  }

  private static SpecialToken specialToken(JsonNode node, String uri, String role) {
    if (node.isTextual()) return new SpecialToken(node.asText(), false);
    if (!node.isObject() || !node.path("content").isTextual()) {
      throw new IllegalArgumentException(uri + ": " + role + " is " + node + "; expected a string or an object with "
          + "\"content\"");
    }
    for (String flag : List.of("lstrip", "rstrip", "single_word")) {
      if (node.path(flag).asBoolean(false)) {
        throw new IllegalArgumentException(uri + ": " + role + " has " + flag + " = true; CLIP special tokens do not "
            + "strip or need word boundaries and this tokenizer supports only false");
      }
    }
    return new SpecialToken(node.get("content").asText(), node.path("normalized").asBoolean(false));
  }

  private static JsonNode readJson(String uri, Configuration conf) {
    try {
      return JSON.readTree(Storage.readAll(uri, conf));
    } catch (IOException e) {
      throw new UncheckedIOException(uri + ": not valid JSON: " + e.getMessage(), e);
    }
  }
}
