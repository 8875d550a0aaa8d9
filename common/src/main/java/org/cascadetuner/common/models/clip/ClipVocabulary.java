package org.cascadetuner.common.models.clip;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * CLIP's byte-level BPE vocabulary: the token string of every id and the ranked merge list. Two sources give the
 * same vocabulary: a Hugging Face tokenizer folder ({@code vocab.json} + {@code merges.txt}) and openai's merge file
 * {@code bpe_simple_vocab_16e6.txt.gz}, which ships inside this jar (see the README beside it) and is the default.
 *
 * <p>Immutable and thread-safe. Merge lookups go through an open-addressing table keyed by the packed id pair, so
 * the tokenizer's inner loop touches two primitive arrays and allocates nothing.
 */
public final class ClipVocabulary {
  /** The bundled openai merge file, a resource beside this class. */
  public static final String BUILT_IN_RESOURCE = "bpe_simple_vocab_16e6.txt.gz";

  /**
   * openai's simple_tokenizer keeps lines 1..48,894 of the merge file ({@code 49152 - 256 - 2}); with the 256 byte
   * symbols, their 256 {@code </w>} forms and the two special tokens that makes CLIP's 49,408 ids.
   */
  static final int OPENAI_MERGES = 49152 - 256 - 2;

  static final String END_OF_WORD = "</w>";
  static final String START_OF_TEXT = "<|startoftext|>";
  static final String END_OF_TEXT = "<|endoftext|>";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String source;
  private final String[] tokens;
  private final Map<String, Integer> ids;
  private final int[] mergeLeft;
  private final int[] mergeRight;
  private final int[] mergeResult;
  // pair (left id, right id) -> rank, open addressing over a power-of-two table; empty slots hold EMPTY
  private final long[] pairKeys;
  private final int[] pairRanks;
  private final int pairMask;
  private final int[] byteIds = new int[256];
  private final int[] byteEndIds = new int[256];

  private static final long EMPTY = -1L;

  private ClipVocabulary(String source, String[] tokens, Map<String, Integer> ids, int[] left, int[] right,
      int[] result) {
    this.source = source;
    this.tokens = tokens;
    this.ids = ids;
    this.mergeLeft = left;
    this.mergeRight = right;
    this.mergeResult = result;
    int capacity = Integer.highestOneBit(Math.max(16, left.length * 2)) << 1;
    this.pairKeys = new long[capacity];
    this.pairRanks = new int[capacity];
    this.pairMask = capacity - 1;
    Arrays.fill(pairKeys, EMPTY);
    for (int r = 0; r < left.length; r++) {
      long key = pairKey(left[r], right[r]);
      int slot = slot(key);
      while (pairKeys[slot] != EMPTY && pairKeys[slot] != key) slot = (slot + 1) & pairMask;
      // a repeated merge line keeps its first (lowest) rank, as a rank map built in file order would
      if (pairKeys[slot] == EMPTY) {
        pairKeys[slot] = key;
        pairRanks[slot] = r;
      }
    }
    char[] symbols = byteSymbols();
    for (int b = 0; b < 256; b++) {
      byteIds[b] = requireId(String.valueOf(symbols[b]), "the byte symbol of 0x" + Integer.toHexString(b));
      byteEndIds[b] = requireId(symbols[b] + END_OF_WORD, "the end-of-word byte symbol of 0x" + Integer.toHexString(b));
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Sources

  /** The vocabulary built from the openai merge file bundled in this jar (cached: built once per JVM). */
  public static ClipVocabulary builtIn() {
    return BuiltIn.VOCABULARY;
  }

  private static final class BuiltIn {
    static final ClipVocabulary VOCABULARY = load();

    private static ClipVocabulary load() {
      try (InputStream in = ClipVocabulary.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("resource " + BUILT_IN_RESOURCE + " is missing from the jar (package "
              + ClipVocabulary.class.getPackageName() + ")");
        }
        return fromOpenAiMerges(in, "built-in " + BUILT_IN_RESOURCE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read resource " + BUILT_IN_RESOURCE + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Builds the vocabulary from openai's gzip'd merge file: line 0 is a header, lines 1..48,894 are the merges.
   * Ids: 0..255 the byte symbols in {@code bytes_to_unicode} order, 256..511 the same with {@code </w>}, then each
   * merge's concatenation in rank order, then {@code <|startoftext|>} and {@code <|endoftext|>}.
   */
  public static ClipVocabulary fromOpenAiMerges(InputStream gzipped, String source) throws IOException {
    List<String[]> merges = new ArrayList<>(OPENAI_MERGES);
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(new GZIPInputStream(gzipped, 1 << 16), StandardCharsets.UTF_8))) {
      if (r.readLine() == null) throw new IOException(source + ": empty merge file");
      for (int line = 1; line <= OPENAI_MERGES; line++) {
        String text = r.readLine();
        if (text == null) {
          throw new IOException(source + ": has " + (line - 1) + " merge lines; CLIP needs " + OPENAI_MERGES);
        }
        merges.add(splitMerge(text, source, line + 1));
      }
    }
    char[] symbols = byteSymbols();
    int[] order = byteOrder();
    String[] tokens = new String[512 + merges.size() + 2];
    for (int i = 0; i < 256; i++) {
      tokens[i] = String.valueOf(symbols[order[i]]);
      tokens[256 + i] = symbols[order[i]] + END_OF_WORD;
    }
    for (int r = 0; r < merges.size(); r++) tokens[512 + r] = merges.get(r)[0] + merges.get(r)[1];
    tokens[tokens.length - 2] = START_OF_TEXT;
    tokens[tokens.length - 1] = END_OF_TEXT;
    Map<String, Integer> ids = new HashMap<>(tokens.length * 2);
    for (int i = 0; i < tokens.length; i++) {
      if (ids.putIfAbsent(tokens[i], i) != null) {
        throw new IOException(source + ": token '" + tokens[i] + "' occurs twice (ids " + ids.get(tokens[i]) + " and "
            + i + "); a CLIP merge file yields distinct tokens");
      }
    }
    return withMerges(source, tokens, ids, merges, source);
  }

  /** Reads {@code vocab.json} and {@code merges.txt} of a Hugging Face tokenizer folder (local path or Hadoop URI). */
  public static ClipVocabulary fromFolder(String dir, Configuration conf) {
    String vocabUri = Storage.resolve(dir, "vocab.json");
    String mergesUri = Storage.resolve(dir, "merges.txt");
    for (String uri : List.of(vocabUri, mergesUri)) {
      if (!Storage.exists(uri, conf)) {
        throw new IllegalArgumentException("tokenizer folder " + dir + " has no " + uri.substring(uri.lastIndexOf('/')
            + 1) + " (a Hugging Face CLIP tokenizer folder holds vocab.json, merges.txt, tokenizer_config.json)");
      }
    }
    try {
      Map<String, Integer> ids = readVocabJson(Storage.readAll(vocabUri, conf), vocabUri);
      String[] tokens = new String[ids.size()];
      for (Map.Entry<String, Integer> e : ids.entrySet()) {
        int id = e.getValue();
        if (id < 0 || id >= tokens.length) {
          throw new IOException(vocabUri + ": id " + id + " of '" + e.getKey() + "' is outside 0.." + (tokens.length
              - 1) + " (ids must be dense)");
        }
        if (tokens[id] != null) {
          throw new IOException(vocabUri + ": id " + id + " is given to both '" + tokens[id] + "' and '" + e.getKey()
              + "'");
        }
        tokens[id] = e.getKey();
      }
      List<String[]> merges = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(new ByteArrayInputStream(Storage.readAll(mergesUri, conf)), StandardCharsets.UTF_8))) {
        String text;
        int line = 0;
        while ((text = r.readLine()) != null) {
          line++;
          if (line == 1 && text.startsWith("#version")) continue;
          merges.add(splitMerge(text, mergesUri, line));
        }
      }
      return withMerges(dir, tokens, ids, merges, mergesUri);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private static Map<String, Integer> readVocabJson(byte[] bytes, String uri) throws IOException {
    Map<String, Integer> ids = new HashMap<>(1 << 17);
    try (JsonParser p = JSON.getFactory().createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException(uri + ": expected a JSON object token -> id");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String token = p.currentName();
        if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
          throw new IOException(uri + ": the id of '" + token + "' is " + p.getText() + "; ids are integers");
        }
        if (ids.put(token, p.getIntValue()) != null) throw new IOException(uri + ": token '" + token + "' twice");
      }
    }
    return ids;
  }

  private static String[] splitMerge(String text, String uri, int line) throws IOException {
    int space = text.indexOf(' ');
    if (space <= 0 || space == text.length() - 1 || text.indexOf(' ', space + 1) >= 0) {
      throw new IOException(uri + " line " + line + ": '" + text + "' is not a merge; each line is two tokens "
          + "separated by one space");
    }
    return new String[] {text.substring(0, space), text.substring(space + 1)};
  }

  private static ClipVocabulary withMerges(String source, String[] tokens, Map<String, Integer> ids,
      List<String[]> merges, String mergesUri) throws IOException {
    int n = merges.size();
    int[] left = new int[n];
    int[] right = new int[n];
    int[] result = new int[n];
    for (int r = 0; r < n; r++) {
      String[] m = merges.get(r);
      left[r] = idOrThrow(ids, m[0], mergesUri, r);
      right[r] = idOrThrow(ids, m[1], mergesUri, r);
      result[r] = idOrThrow(ids, m[0] + m[1], mergesUri, r);
    }
    return new ClipVocabulary(source, tokens, Map.copyOf(ids), left, right, result);
  }

  private static int idOrThrow(Map<String, Integer> ids, String token, String uri, int rank) throws IOException {
    Integer id = ids.get(token);
    if (id == null) {
      throw new IOException(uri + ": merge " + rank + " uses or makes '" + token + "', which the vocabulary lacks");
    }
    return id;
  }

  private int requireId(String token, String what) {
    Integer id = ids.get(token);
    if (id == null) {
      throw new IllegalArgumentException(source + ": the vocabulary lacks " + what + " ('" + token
          + "'); a byte-level CLIP vocabulary holds all 512");
    }
    return id;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Byte-level symbols (GPT-2 / CLIP bytes_to_unicode)

  /** Printable bytes stand for themselves; the 68 others (controls, space, 0x7F..0xA0, 0xAD) get U+0100 + n. */
  static char[] byteSymbols() {
    char[] symbols = new char[256];
    int n = 0;
    for (int b = 0; b < 256; b++) symbols[b] = isPrintableByte(b) ? (char) b : (char) (256 + n++);
    return symbols;
  }

  /** The order of the byte symbols in the vocabulary: printable bytes ascending, then the others ascending. */
  static int[] byteOrder() {
    int[] order = new int[256];
    int i = 0;
    for (int b = 0; b < 256; b++) if (isPrintableByte(b)) order[i++] = b;
    for (int b = 0; b < 256; b++) if (!isPrintableByte(b)) order[i++] = b;
    return order;
  }

  private static boolean isPrintableByte(int b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Lookups

  public int size() {
    return tokens.length;
  }

  public String token(int id) {
    return tokens[id];
  }

  /** The id of a token, or -1. */
  public int id(String token) {
    Integer id = ids.get(token);
    return id == null ? -1 : id;
  }

  public int mergeCount() {
    return mergeLeft.length;
  }

  /** Merge {@code rank} as (left id, right id, result id). */
  public int[] merge(int rank) {
    return new int[] {mergeLeft[rank], mergeRight[rank], mergeResult[rank]};
  }

  /** The id of the symbol for byte {@code b}, and of the same symbol ending a word. */
  int byteId(int b) {
    return byteIds[b];
  }

  int byteEndId(int b) {
    return byteEndIds[b];
  }

  /** The rank of merging {@code left} with {@code right}, or -1 when no merge joins them. */
  int mergeRank(int left, int right) {
    long key = pairKey(left, right);
    int slot = slot(key);
    while (true) {
      long k = pairKeys[slot];
      if (k == key) return pairRanks[slot];
      if (k == EMPTY) return -1;
      slot = (slot + 1) & pairMask;
    }
  }

  int mergeResult(int rank) {
    return mergeResult[rank];
  }

  private static long pairKey(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29)) & pairMask;
  }

  /** Where the vocabulary came from (a folder URI or the built-in resource). */
  public String source() {
    return source;
  }

  /**
   * SHA-256 over every token (in id order) and every merge (in rank order): equal for equal vocabularies whatever
   * their source, so cache rows can record which tokenization produced them.
   */
  public String fingerprint() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String t : tokens) {
        md.update(t.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      byte[] buf = new byte[12];
      for (int r = 0; r < mergeLeft.length; r++) {
        putInt(buf, 0, mergeLeft[r]);
        putInt(buf, 4, mergeRight[r]);
        putInt(buf, 8, mergeResult[r]);
        md.update(buf);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  @Override
  public String toString() {
    return "ClipVocabulary[" + source + ", " + tokens.length + " tokens, " + mergeLeft.length + " merges]";
  }
}
