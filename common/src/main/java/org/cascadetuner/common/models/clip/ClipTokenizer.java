package org.cascadetuner.common.models.clip;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;

/**
 * CLIP's tokenizer as Hugging Face's {@code CLIPTokenizerFast} runs it (what the Stable Cascade prior pipeline
 * loads), step by step:
 *
 * <ol>
 *   <li>special tokens are split out first: raw ones ({@code <|endoftext|>}) in the text as given, normalized ones
 *       ({@code <|startoftext|>}) in each segment after step 2;
 *   <li>normalize each remaining segment: NFC, every run of Unicode white space to one space, lowercase (code point
 *       by code point, no final-sigma rule);
 *   <li>pre-tokenize with the pattern {@code 's|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+}: runs of
 *       letters, single digits, runs of other non-space characters; white space is dropped;
 *   <li>each piece becomes its UTF-8 bytes as byte-level symbols, the last one carrying {@code </w>}; BPE merges the
 *       adjacent pair of lowest rank (the leftmost on a tie) until none applies;
 *   <li>BOS + the first maxLength - 2 ids + EOS, padded with the pad id; the mask is 1 over BOS..EOS.
 * </ol>
 *
 * <p>No ftfy and no HTML unescaping: those belong to openai's and HF's slow tokenizers only. The pre-tokenizer is a
 * hand-written scanner equivalent to the pattern (no regex engine on the hot path), and BPE results are cached per
 * word, so tokenizing a caption costs a few hash lookups. Thread-safe: share one instance per JVM.
 */
public final class ClipTokenizer {
  /** Words cached at most (Hugging Face's BPE cache stops inserting when full, and so does this one). */
  private static final int CACHE_ENTRIES = 1 << 17;
  /** Longer pieces are rare (URLs, junk) and not worth keeping. */
  private static final int CACHE_MAX_WORD = 256;

  private final ClipVocabulary vocab;
  private final ClipTokenizerConfig config;
  private final int bosId;
  private final int eosId;
  private final int padId;
  private final String[] rawSpecials;
  private final int[] rawSpecialIds;
  private final String[] normalizedSpecials;
  private final int[] normalizedSpecialIds;
  private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>(1 << 12);

  public ClipTokenizer(ClipVocabulary vocab, ClipTokenizerConfig config) {
    this.vocab = Objects.requireNonNull(vocab, "vocab");
    this.config = Objects.requireNonNull(config, "config");
    this.bosId = specialId(config.bosToken(), "bos_token");
    this.eosId = specialId(config.eosToken(), "eos_token");
    this.padId = specialId(config.padToken(), "pad_token");
    List<ClipTokenizerConfig.SpecialToken> raw =
        config.specialTokens().stream().filter(t -> !t.normalized()).toList();
    List<ClipTokenizerConfig.SpecialToken> norm =
        config.specialTokens().stream().filter(ClipTokenizerConfig.SpecialToken::normalized).toList();
    this.rawSpecials = raw.stream().map(ClipTokenizerConfig.SpecialToken::content).toArray(String[]::new);
    this.rawSpecialIds = raw.stream().mapToInt(t -> specialId(t.content(), "special token")).toArray();
    // a normalized special token is looked for in normalized text, so it is normalized itself (as HF does)
    this.normalizedSpecials =
        norm.stream().map(t -> normalize(t.content())).toArray(String[]::new);
    this.normalizedSpecialIds = norm.stream().mapToInt(t -> specialId(t.content(), "special token")).toArray();
  }

  /** The built-in vocabulary (openai's merges, in this jar) with stable-cascade's settings; one per JVM. */
  public static ClipTokenizer builtIn() {
    return BuiltIn.TOKENIZER;
  }

  private static final class BuiltIn {
    static final ClipTokenizer TOKENIZER =
        new ClipTokenizer(ClipVocabulary.builtIn(), ClipTokenizerConfig.stableCascade());
  }

  /** A Hugging Face tokenizer folder (local path, file://, s3a://, hdfs://), e.g. stable-cascade-prior/tokenizer. */
  public static ClipTokenizer fromFolder(String dir, Configuration conf) {
    return new ClipTokenizer(ClipVocabulary.fromFolder(dir, conf), ClipTokenizerConfig.fromFolder(dir, conf));
  }

  /** {@link #fromFolder} when a folder is given, else {@link #builtIn}. */
  public static ClipTokenizer open(String dirOrNull, Configuration conf) {
    return dirOrNull == null || dirOrNull.isBlank() ? builtIn() : fromFolder(dirOrNull, conf);
  }

  private int specialId(String token, String role) {
    int id = vocab.id(token);
    if (id < 0) {
      throw new IllegalArgumentException(vocab.source() + ": " + role + " '" + token + "' is not in the vocabulary");
    }
    return id;
  }

  public ClipVocabulary vocabulary() {
    return vocab;
  }

  public ClipTokenizerConfig config() {
    return config;
  }

  public int maxLength() {
    return config.maxLength();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Encoding

  /** Padded and truncated to maxLength: what the text encoder takes. */
  public TokenizedPrompt encode(String text) {
    int max = config.maxLength();
    IntList content = new IntList(32);
    tokenize(text, content, max - 2);
    int n = Math.min(content.size, max - 2);
    int[] ids = new int[max];
    int[] mask = new int[max];
    Arrays.fill(ids, padId);
    ids[0] = bosId;
    System.arraycopy(content.items, 0, ids, 1, n);
    ids[n + 1] = eosId;
    Arrays.fill(mask, 0, n + 2, 1);
    return new TokenizedPrompt(ids, mask);
  }

  /** BOS, every token of the text, EOS: no truncation, no padding. */
  public int[] encodeUntruncated(String text) {
    IntList content = new IntList(32);
    tokenize(text, content, Integer.MAX_VALUE);
    int[] ids = new int[content.size + 2];
    ids[0] = bosId;
    System.arraycopy(content.items, 0, ids, 1, content.size);
    ids[ids.length - 1] = eosId;
    return ids;
  }

  /** The token strings of some ids (byte-level symbols, {@code </w>} at word ends). */
  public String[] tokens(int[] ids) {
    String[] out = new String[ids.length];
    for (int i = 0; i < ids.length; i++) out[i] = vocab.token(ids[i]);
    return out;
  }

  /** Appends the ids of the text (no BOS/EOS), stopping once {@code limit} ids are there. */
  private void tokenize(String text, IntList out, int limit) {
    Objects.requireNonNull(text, "text");
    int pos = 0;
    int n = text.length();
    while (pos < n && out.size < limit) {
      long match = findSpecial(text, pos, rawSpecials);
      int at = match < 0 ? n : (int) (match >>> 32);
      if (at > pos) tokenizeNormalized(normalize(text.substring(pos, at)), out, limit);
      if (match < 0) break;
      int which = (int) match;
      out.add(rawSpecialIds[which]);
      pos = at + rawSpecials[which].length();
    }
  }

  private void tokenizeNormalized(String s, IntList out, int limit) {
    int pos = 0;
    int n = s.length();
    while (pos < n && out.size < limit) {
      long match = findSpecial(s, pos, normalizedSpecials);
      int at = match < 0 ? n : (int) (match >>> 32);
      preTokenize(s, pos, at, out, limit);
      if (match < 0) break;
      int which = (int) match;
      out.add(normalizedSpecialIds[which]);
      pos = at + normalizedSpecials[which].length();
    }
  }

  /** The leftmost occurrence of any of the tokens at or after {@code from} (the longest on a tie), as (index << 32 | which), or -1. */
  private static long findSpecial(String s, int from, String[] specials) {
    int bestAt = -1;
    int best = -1;
    for (int k = 0; k < specials.length; k++) {
      int at = s.indexOf(specials[k], from);
      if (at < 0) continue;
      if (bestAt < 0 || at < bestAt || (at == bestAt && specials[k].length() > specials[best].length())) {
        bestAt = at;
        best = k;
      }
    }
    return bestAt < 0 ? -1 : ((long) bestAt << 32) | best;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Normalizer: NFC, white-space runs to one space, lowercase

  /** Hugging Face's CLIP normalizer; returns {@code s} itself when it is already normal (plain lowercase ASCII). */
  static String normalize(String s) {
    int n = s.length();
    boolean ascii = true;
    boolean changes = false;
    char prev = 'x';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      if ((c >= 'A' && c <= 'Z') || (CharClass.ASCII[c] == CharClass.SPACE && (c != ' ' || prev == ' '))) {
        changes = true;
      }
      prev = c;
    }
    if (ascii && !changes) return s;
    if (!ascii && !Normalizer.isNormalized(s, Normalizer.Form.NFC)) s = Normalizer.normalize(s, Normalizer.Form.NFC);
    StringBuilder b = new StringBuilder(s.length() + 4);
    boolean inSpace = false;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (CharClass.of(cp) == CharClass.SPACE) {
        if (!inSpace) b.append(' ');
        inSpace = true;
        continue;
      }
      inSpace = false;
      // U+0130 is the one code point whose full lowercase mapping is two (Rust's char::to_lowercase gives "i\u0307")
      if (cp == 0x130) b.append("i\u0307");
      else b.appendCodePoint(Character.toLowerCase(cp));
    }
    return b.toString();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Pre-tokenizer: 's|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+ over [from, to), white space dropped

  private void preTokenize(String s, int from, int to, IntList out, int limit) {
    int i = from;
    while (i < to && out.size < limit) {
      int cp = s.codePointAt(i);
      int cls = CharClass.of(cp);
      int start = i;
      int end;
      if (cls == CharClass.SPACE) {
        i += Character.charCount(cp);
        continue;
      } else if (cp == '\'' && (end = contractionEnd(s, i, to)) > 0) {
        // the contraction alternatives come first in the pattern
      } else if (cls == CharClass.LETTER || cls == CharClass.OTHER) {
        end = i + Character.charCount(cp);
        while (end < to) {
          int next = s.codePointAt(end);
          if (CharClass.of(next) != cls) break;
          end += Character.charCount(next);
        }
      } else {
        end = i + Character.charCount(cp); // one digit
      }
      bpe(s, start, end, out);
      i = end;
    }
  }

  /** The end of {@code 's 't 're 've 'm 'll 'd} starting at the apostrophe at {@code i}, or -1. */
  private static int contractionEnd(String s, int i, int to) {
    if (i + 1 >= to) return -1;
    char a = s.charAt(i + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
    if (i + 2 >= to) return -1;
    char b = s.charAt(i + 2);
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
    return -1;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Byte-level BPE of one piece

  private void bpe(String s, int start, int end, IntList out) {
    String word = s.substring(start, end);
    int[] cached = cache.get(word);
    if (cached != null) {
      out.addAll(cached);
      return;
    }
    int[] syms = byteSymbols(word);
    int m = syms.length;
    // ranks[p] = rank of merging syms[p] with syms[p + 1], -1 when none
    int[] ranks = new int[Math.max(1, m - 1)];
    for (int p = 0; p < m - 1; p++) ranks[p] = vocab.mergeRank(syms[p], syms[p + 1]);
    while (m > 1) {
      int best = -1;
      int bestRank = Integer.MAX_VALUE;
      for (int p = 0; p < m - 1; p++) {
        int r = ranks[p];
        if (r >= 0 && r < bestRank) {
          bestRank = r;
          best = p;
        }
      }
      if (best < 0) break;
      syms[best] = vocab.mergeResult(bestRank);
      System.arraycopy(syms, best + 2, syms, best + 1, m - best - 2);
      if (m - best - 3 > 0) System.arraycopy(ranks, best + 2, ranks, best + 1, m - best - 3);
      m--;
      if (best > 0) ranks[best - 1] = vocab.mergeRank(syms[best - 1], syms[best]);
      if (best < m - 1) ranks[best] = vocab.mergeRank(syms[best], syms[best + 1]);
    }
    int[] ids = m == syms.length ? syms : Arrays.copyOf(syms, m);
    if (word.length() <= CACHE_MAX_WORD && cache.size() < CACHE_ENTRIES) cache.putIfAbsent(word, ids);
    out.addAll(ids);
  }

  private int[] byteSymbols(String word) {
    int n = word.length();
    boolean ascii = true;
    for (int i = 0; i < n && ascii; i++) ascii = word.charAt(i) < 0x80;
    if (ascii) {
      int[] syms = new int[n];
      for (int i = 0; i < n - 1; i++) syms[i] = vocab.byteId(word.charAt(i));
      syms[n - 1] = vocab.byteEndId(word.charAt(n - 1));
      return syms;
    }
    byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
    int[] syms = new int[bytes.length];
    for (int i = 0; i < bytes.length - 1; i++) syms[i] = vocab.byteId(bytes[i] & 0xFF);
    syms[bytes.length - 1] = vocab.byteEndId(bytes[bytes.length - 1] & 0xFF);
    return syms;
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** Character classes of the pre-tokenizer pattern; white space is Unicode's White_Space (= Oniguruma's \s). */
  static final class CharClass {
    static final byte SPACE = 0;
    static final byte LETTER = 1;
    static final byte NUMBER = 2;
    static final byte OTHER = 3;
    static final byte[] ASCII = new byte[128];

    static {
      for (int c = 0; c < 128; c++) ASCII[c] = classify(c);
    }

    private CharClass() {}

    static int of(int cp) {
      return cp < 128 ? ASCII[cp] : classify(cp);
    }

    private static byte classify(int cp) {
      if (isWhiteSpace(cp)) return SPACE;
      switch (Character.getType(cp)) {
        case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
            Character.MODIFIER_LETTER, Character.OTHER_LETTER:
          return LETTER;
        case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER:
          return NUMBER;
        default:
          return OTHER;
      }
    }

    /** Unicode White_Space: 9..D, 20, 85, A0, 1680, 2000..200A, 2028, 2029, 202F, 205F, 3000. */
    static boolean isWhiteSpace(int cp) {
      return (cp >= 0x9 && cp <= 0xD) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
          || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
          || cp == 0x3000;
    }
  }

  /** A growable int array, so token ids never box. */
  private static final class IntList {
    int[] items;
    int size;

    IntList(int capacity) {
      items = new int[capacity];
    }

    void add(int v) {
      if (size == items.length) items = Arrays.copyOf(items, size * 2);
      items[size++] = v;
    }

    void addAll(int[] vs) {
      if (size + vs.length > items.length) items = Arrays.copyOf(items, Math.max(size * 2, size + vs.length));
      System.arraycopy(vs, 0, items, size, vs.length);
      size += vs.length;
    }
  }
}
