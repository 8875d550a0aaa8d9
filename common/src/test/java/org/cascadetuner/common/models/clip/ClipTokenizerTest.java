package org.cascadetuner.common.models.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer against {@code goldens/tokenizer/cases.json} (Hugging Face CLIPTokenizerFast), for both vocabulary
 * sources: the golden's HF tokenizer folder and the built-in openai merge file.
 */
class ClipTokenizerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Configuration CONF = new Configuration(false);

  @TempDir Path tmp;

  private static Path folder() {
    return SharedFiles.goldens("tokenizer");
  }

  private static List<JsonNode> cases() throws IOException {
    JsonNode root = JSON.readTree(SharedFiles.goldens("tokenizer/cases.json").toFile());
    List<JsonNode> out = new ArrayList<>();
    root.get("cases").forEach(out::add);
    assertFalse(out.isEmpty(), "cases.json holds no cases");
    return out;
  }

  private static int[] ints(JsonNode array) {
    return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
  }

  @TestFactory
  Stream<DynamicTest> everyFastGoldenCaseMatchesWithTheFolderVocabulary() throws IOException {
    return goldenCases(ClipTokenizer.fromFolder(folder().toString(), CONF), "folder");
  }

  @TestFactory
  Stream<DynamicTest> everyFastGoldenCaseMatchesWithTheBuiltInVocabulary() throws IOException {
    return goldenCases(ClipTokenizer.builtIn(), "built-in");
  }

  private static Stream<DynamicTest> goldenCases(ClipTokenizer tok, String source) throws IOException {
    List<JsonNode> cases = cases();
    return IntStream.range(0, cases.size()).mapToObj(i -> {
      JsonNode c = cases.get(i);
      String text = c.get("text").asText();
      String name = source + " #" + i + " " + shortly(text);
      return DynamicTest.dynamicTest(name, () -> {
        JsonNode fast = c.get("fast");
        TokenizedPrompt got = tok.encode(text);
        int[] untruncated = tok.encodeUntruncated(text);
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertArrayEquals(ints(fast.get("input_ids")), got.inputIds(), "input_ids"));
        checks.add(() -> assertArrayEquals(ints(fast.get("attention_mask")), got.attentionMask(), "attention_mask"));
        checks.add(() -> assertArrayEquals(ints(fast.get("untruncated_ids")), untruncated, "untruncated_ids"));
        if (fast.has("tokens")) {
          String[] want = new String[fast.get("tokens").size()];
          for (int k = 0; k < want.length; k++) want[k] = fast.get("tokens").get(k).asText();
          checks.add(() -> assertArrayEquals(want, tok.tokens(untruncated), "tokens"));
        }
        org.junit.jupiter.api.Assertions.assertAll(name, checks.stream());
      });
    });
  }

  private static String shortly(String text) {
    String one = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    return one.length() <= 40 ? "'" + one + "'" : "'" + one.substring(0, 40) + "…'";
  }

  @Test
  void bothSourcesGiveTheSameVocabularyMergesAndSettings() {
    ClipVocabulary folder = ClipVocabulary.fromFolder(folder().toString(), CONF);
    ClipVocabulary builtIn = ClipVocabulary.builtIn();
    assertEquals(folder.size(), builtIn.size(), "vocabulary size");
    for (int id = 0; id < folder.size(); id++) assertEquals(folder.token(id), builtIn.token(id), "token of id " + id);
    assertEquals(folder.mergeCount(), builtIn.mergeCount(), "merge count");
    for (int r = 0; r < folder.mergeCount(); r++) assertArrayEquals(folder.merge(r), builtIn.merge(r), "merge " + r);
    assertEquals(folder.fingerprint(), builtIn.fingerprint());
    assertEquals(ClipTokenizerConfig.fromFolder(folder().toString(), CONF), ClipTokenizerConfig.stableCascade(),
        "the built-in settings are those of the stable-cascade tokenizer folder");
  }

  @Test
  void theGoldenRecordsAsManyMergesAsTheVocabularyHolds() throws IOException {
    JsonNode root = JSON.readTree(SharedFiles.goldens("tokenizer/cases.json").toFile());
    assertEquals(root.get("n_merges").asInt(), ClipVocabulary.builtIn().mergeCount());
  }

  @Test
  void aFolderIsReadThroughAFileUri() {
    ClipTokenizer viaUri = ClipTokenizer.fromFolder(folder().toUri().toString(), CONF);
    assertEquals(ClipVocabulary.builtIn().fingerprint(), viaUri.vocabulary().fingerprint());
  }

  // -- normalizer behaviour the goldens do not reach (their prompts are NFC and ASCII-spaced) ---------------------

  @Test
  void decomposedTextTokenizesAsItsComposedForm() throws IOException {
    ClipTokenizer tok = ClipTokenizer.builtIn();
    int checked = 0;
    for (JsonNode c : cases()) {
      String text = c.get("text").asText();
      String nfd = Normalizer.normalize(text, Normalizer.Form.NFD);
      if (nfd.equals(text)) continue;
      assertEquals(tok.encode(text), tok.encode(nfd), shortly(text));
      checked++;
    }
    assertTrue(checked > 0, "no golden prompt has a decomposable character");
  }

  @Test
  void unicodeWhiteSpaceSeparatesLikeASpace() throws IOException {
    ClipTokenizer tok = ClipTokenizer.builtIn();
    for (JsonNode c : cases()) {
      String text = c.get("text").asText();
      for (String ws : List.of("\u00a0", "\u3000", "\u2009 \u2028", "\u0085")) {
        assertEquals(tok.encode(text), tok.encode(text.replace(" ", ws)), shortly(text) + " with U+"
            + Integer.toHexString(ws.charAt(0)));
      }
    }
  }

  @Test
  void normalizedSpecialTokensAreMatchedAfterLowercasingRawOnesOnlyAsGiven() {
    ClipTokenizer tok = ClipTokenizer.builtIn();
    int bos = tok.vocabulary().id(ClipVocabulary.START_OF_TEXT);
    int eos = tok.vocabulary().id(ClipVocabulary.END_OF_TEXT);
    int[] upperBos = tok.encodeUntruncated("a <|STARTOFTEXT|> b");
    assertEquals(bos, upperBos[2], Arrays.toString(upperBos));
    int[] upperEos = tok.encodeUntruncated("a <|ENDOFTEXT|> b");
    assertEquals(1, Arrays.stream(upperEos).filter(id -> id == eos).count(), "only the closing EOS");
    int[] rawEos = tok.encodeUntruncated("a <|endoftext|> b");
    assertEquals(2, Arrays.stream(rawEos).filter(id -> id == eos).count());
  }

  @Test
  void dottedCapitalILowercasesToTwoCodePoints() {
    assertEquals("i\u0307stanbul", ClipTokenizer.normalize("\u0130STANBUL"));
    assertEquals("\u03c3\u03c3", ClipTokenizer.normalize("\u03a3\u03a3"), "no final-sigma rule");
    assertEquals("a b c", ClipTokenizer.normalize("A \t\n B\u00a0\u3000c"));
  }

  @Test
  void truncationKeepsBosTheFirstTokensAndEos() {
    ClipTokenizer tok = ClipTokenizer.builtIn();
    String text = "one two three ".repeat(60);
    int[] all = tok.encodeUntruncated(text);
    TokenizedPrompt p = tok.encode(text);
    int max = tok.maxLength();
    assertTrue(all.length > max);
    assertArrayEquals(Arrays.copyOf(all, max - 1), Arrays.copyOf(p.inputIds(), max - 1));
    assertEquals(all[all.length - 1], p.inputIds()[max - 1]);
    assertEquals(max, p.length());
  }

  @Test
  void cachedAndFreshTokenizationsAgree() throws IOException {
    ClipTokenizer warm = ClipTokenizer.builtIn();
    for (JsonNode c : cases()) warm.encode(c.get("text").asText());
    for (JsonNode c : cases()) {
      String text = c.get("text").asText();
      ClipTokenizer cold = new ClipTokenizer(ClipVocabulary.builtIn(), ClipTokenizerConfig.stableCascade());
      assertArrayEquals(cold.encodeUntruncated(text), warm.encodeUntruncated(text), shortly(text));
    }
  }

  // -- errors name the file and what is allowed ----------------------------------------------------------------

  @Test
  void aFolderWithoutMergesNamesTheMissingFile() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("tok"));
    Files.copy(folder().resolve("vocab.json"), dir.resolve("vocab.json"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClipTokenizer.fromFolder(dir.toString(), CONF));
    assertTrue(e.getMessage().contains("merges.txt"), e.getMessage());
  }

  @Test
  void aMalformedMergeLineIsReportedWithItsLineNumber() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("bad"));
    for (String f : List.of("vocab.json", "tokenizer_config.json", "special_tokens_map.json")) {
      Files.copy(folder().resolve(f), dir.resolve(f));
    }
    List<String> lines = new ArrayList<>(Files.readAllLines(folder().resolve("merges.txt")));
    lines.set(3, "a b c");
    Files.write(dir.resolve("merges.txt"), lines);
    RuntimeException e = assertThrows(RuntimeException.class, () -> ClipTokenizer.fromFolder(dir.toString(), CONF));
    assertTrue(e.getMessage().contains("merges.txt line 4") && e.getMessage().contains("'a b c'"), e.getMessage());
  }

  @Test
  void aNonIntegerMaxLengthIsRefusedWithTheKey() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("cfg"));
    for (String f : List.of("vocab.json", "merges.txt", "special_tokens_map.json")) {
      Files.copy(folder().resolve(f), dir.resolve(f));
    }
    String config = Files.readString(folder().resolve("tokenizer_config.json"))
        .replaceFirst("\"model_max_length\"\\s*:\\s*\\d+", "\"model_max_length\": \"long\"");
    assertNotEquals(Files.readString(folder().resolve("tokenizer_config.json")), config);
    Files.writeString(dir.resolve("tokenizer_config.json"), config);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClipTokenizer.fromFolder(dir.toString(), CONF));
    assertTrue(e.getMessage().contains("model_max_length"), e.getMessage());
  }
}
