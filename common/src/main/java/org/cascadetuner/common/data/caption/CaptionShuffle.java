package org.cascadetuner.common.data.caption;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.cascadetuner.common.data.PyRandom;

/**
 * {@code caption_shuffle} (spec data-pipeline §4.5): expands one caption into itself plus up to {@code count}
 * tag-shuffled variants, exactly as SimpleTuner: split on the separator, strip, drop empty tags, keep the first
 * {@code position_start} in place, shuffle the rest with CPython {@code random.Random(seed + (md5(caption) &
 * 0xFFFFFFFF) + i)} for variant i, join, drop duplicates. Fewer than two movable tags leave the caption alone.
 *
 * @param count variants to try (≥ 1)
 * @param seed the shuffle seed ({@code caption_shuffle.seed}, else the run's {@code --seed})
 * @param splitOn which separator splits tags
 * @param positionStart tags kept in place at the front (≥ 0)
 * @param includeOriginal whether the caption itself is the first variant
 */
public record CaptionShuffle(int count, long seed, SplitOn splitOn, int positionStart, boolean includeOriginal) {
  public CaptionShuffle {
    if (count < 1) throw new IllegalArgumentException("caption_shuffle.count must be an integer >= 1, got " + count);
    if (positionStart < 0) {
      throw new IllegalArgumentException("caption_shuffle.position_start must be an integer >= 0, got " + positionStart);
    }
    if (splitOn == null) throw new IllegalArgumentException("caption_shuffle.split_on must be comma, space or period");
  }

  /** {@code split_on}: the separator and how variants are joined back. */
  public enum SplitOn {
    COMMA(",", ", "), SPACE(" ", " "), PERIOD(".", ". ");

    private final String separator;
    private final String joiner;

    SplitOn(String separator, String joiner) {
      this.separator = separator;
      this.joiner = joiner;
    }
  }

  public List<String> expand(String caption) {
    List<String> tags = new ArrayList<>();
    for (String t : caption.split(java.util.regex.Pattern.quote(splitOn.separator), -1)) {
      String s = PyText.strip(t);
      if (!s.isEmpty()) tags.add(s);
    }
    int fixed = Math.min(positionStart, tags.size());
    List<String> head = tags.subList(0, fixed);
    List<String> movable = tags.subList(fixed, tags.size());
    if (movable.size() < 2) return List.of(caption);
    BigInteger base = BigInteger.valueOf(seed).add(BigInteger.valueOf(md5Low32(caption)));
    List<String> out = new ArrayList<>();
    if (includeOriginal) out.add(caption);
    for (int i = 0; i < count; i++) {
      List<String> rest = new ArrayList<>(movable);
      new PyRandom(base.add(BigInteger.valueOf(i))).shuffle(rest);
      List<String> all = new ArrayList<>(head);
      all.addAll(rest);
      String v = String.join(splitOn.joiner, all);
      if (!out.contains(v)) out.add(v);
    }
    return out;
  }

  private static long md5Low32(String s) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
      return ((d[12] & 0xffL) << 24) | ((d[13] & 0xffL) << 16) | ((d[14] & 0xffL) << 8) | (d[15] & 0xffL);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
