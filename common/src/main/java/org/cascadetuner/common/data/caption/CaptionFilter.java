package org.cascadetuner.common.data.caption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code caption_filter_list} of a text-embeds dataset (spec data-pipeline §4.5), with SimpleTuner's exact
 * semantics. For each entry in order: an entry starting with {@code s/} that has exactly two slashes
 * ({@code s/find/repl}) replaces every regex match of {@code find} with {@code repl}; any other entry removes its
 * literal occurrences; then every entry (the {@code s/} ones too) also removes all matches of itself as a regex.
 * Applied to the text sent to the encoder only; the cache key stays the unfiltered caption.
 *
 * <p>SimpleTuner compiles entries with Python's {@code regex} module (possessive quantifiers and atomic groups
 * included, as in Java); its syntax is translated where Java differs ({@code (?P<n>…)}, {@code (?P=n)}, {@code \Z}, Unicode
 * {@code \w \d \s}); replacement templates use Python's {@code \1}, {@code \g<name>} and escapes. An entry that is
 * not a valid regex only skips its regex-removal step (SimpleTuner logs and continues); an invalid {@code find} in
 * an {@code s/} entry is an error, since SimpleTuner fails on it too.
 */
public final class CaptionFilter {
  private static final Logger LOG = LoggerFactory.getLogger(CaptionFilter.class);
  private final List<Step> steps = new ArrayList<>();

  private record Step(String entry, Pattern find, List<Object> replacement, Pattern removal) {}

  public CaptionFilter(List<String> entries) {
    for (String e : entries) {
      Pattern find = null;
      List<Object> repl = null;
      if (e.startsWith("s/") && e.chars().filter(ch -> ch == '/').count() == 2) {
        String[] parts = e.split("/", -1);
        try {
          find = compile(parts[1]);
        } catch (PatternSyntaxException x) {
          throw new IllegalArgumentException("caption_filter_list entry '" + e + "': '" + parts[1]
              + "' is not a valid regular expression (" + x.getDescription() + ")");
        }
        repl = parseTemplate(parts[2], e);
        int groups = find.matcher("").groupCount();
        for (Object part : repl) {
          if (part instanceof Integer g && g > groups) {
            throw new IllegalArgumentException("caption_filter_list entry '" + e + "': the replacement refers to group "
                + g + " but '" + parts[1] + "' has " + groups);
          }
        }
      }
      Pattern removal;
      try {
        removal = compile(e);
      } catch (PatternSyntaxException x) {
        LOG.warn("caption_filter_list entry '{}' is not a valid regular expression ({}); only its literal text is "
            + "removed", e, x.getDescription());
        removal = null;
      }
      steps.add(new Step(e, find, repl, removal));
    }
  }

  /**
   * {@code caption_filter_list} as the user wrote it: a JSON array of strings, or a path (local or Hadoop URI) to a
   * {@code .txt} file (one entry per line; only the newline is removed) or a {@code .json} file holding an array.
   */
  public static CaptionFilter fromSetting(JsonNode setting, Configuration conf) {
    if (setting == null || setting.isNull()) return new CaptionFilter(List.of());
    if (setting.isArray()) return new CaptionFilter(strings(setting, "caption_filter_list"));
    if (setting.isTextual()) {
      String path = setting.asText();
      if (path.isEmpty()) return new CaptionFilter(List.of());
      if (path.endsWith(".txt")) {
        String text = new String(Storage.readAll(path, conf), StandardCharsets.UTF_8);
        // Python's text mode reads \r\n and \r as newlines too; readlines() then strip("\n") keeps other space
        List<String> lines = new ArrayList<>(List.of(text.split("\r\n|\r|\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
        return new CaptionFilter(lines);
      }
      if (path.endsWith(".json")) {
        JsonNode n;
        try {
          n = new ObjectMapper().readTree(Storage.readAll(path, conf));
        } catch (IOException x) {
          throw new IllegalArgumentException("caption_filter_list file " + path + " is not valid JSON: " + x.getMessage());
        }
        if (!n.isArray()) {
          throw new IllegalArgumentException("caption_filter_list file " + path + " must hold a JSON array of strings");
        }
        return new CaptionFilter(strings(n, "caption_filter_list file " + path));
      }
    }
    throw new IllegalArgumentException("caption_filter_list must be a list of strings or a path to a .txt or .json "
        + "file, got " + setting);
  }

  private static List<String> strings(JsonNode array, String where) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      if (!n.isTextual()) throw new IllegalArgumentException(where + ": every entry must be a string, got " + n);
      out.add(n.asText());
    }
    return out;
  }

  public boolean isEmpty() {
    return steps.isEmpty();
  }

  /** The text to encode for a caption. */
  public String apply(String caption) {
    String s = caption;
    for (Step step : steps) {
      if (step.find != null) {
        s = substitute(step.find, step.replacement, s);
      } else {
        s = s.replace(step.entry, "");
      }
      if (step.removal != null) s = step.removal.matcher(s).replaceAll("");
    }
    return s;
  }

  private static String substitute(Pattern find, List<Object> template, String s) {
    Matcher m = find.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      StringBuilder r = new StringBuilder();
      for (Object part : template) {
        if (part instanceof String lit) {
          r.append(lit);
        } else {
          String g;
          try {
            g = part instanceof Integer i ? m.group(i) : m.group((String) ((Object[]) part)[0]);
          } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException("caption_filter_list: the replacement of '" + find.pattern()
                + "' names a group the pattern does not have: " + x.getMessage());
          }
          if (g != null) r.append(g);
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(r.toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Python {@code re} pattern → Java pattern. */
  static Pattern compile(String python) {
    String p = python.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
    p = p.replace("\\Z", "\\z");
    return Pattern.compile(p, Pattern.UNICODE_CHARACTER_CLASS);
  }

  /** A Python replacement template as literal strings, group numbers (Integer) and group names (Object[]{name}). */
  static List<Object> parseTemplate(String t, String entry) {
    List<Object> parts = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c != '\\' || i + 1 >= t.length()) {
        lit.append(c);
        continue;
      }
      char n = t.charAt(++i);
      if (Character.isDigit(n)) {
        int end = i + 1;
        if (end < t.length() && Character.isDigit(t.charAt(end))) end++;
        flush(parts, lit);
        parts.add(Integer.parseInt(t.substring(i, end)));
        i = end - 1;
      } else if (n == 'g' && i + 1 < t.length() && t.charAt(i + 1) == '<' && t.indexOf('>', i) > 0) {
        int close = t.indexOf('>', i);
        String ref = t.substring(i + 2, close);
        flush(parts, lit);
        parts.add(ref.chars().allMatch(Character::isDigit) && !ref.isEmpty() ? (Object) Integer.parseInt(ref)
            : new Object[] {ref});
        i = close;
      } else {
        switch (n) {
          case 'n' -> lit.append('\n');
          case 't' -> lit.append('\t');
          case 'r' -> lit.append('\r');
          case 'f' -> lit.append('\f');
          case 'v' -> lit.append('\u000b');
          case 'a' -> lit.append('\u0007');
          case 'b' -> lit.append('\b');
          case '\\' -> lit.append('\\');
          default -> {
            if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z')) {
              throw new IllegalArgumentException("caption_filter_list entry '" + entry + "': bad escape \\" + n
                  + " in the replacement");
            }
            lit.append('\\').append(n);
          }
        }
      }
    }
    flush(parts, lit);
    return parts;
  }

  private static void flush(List<Object> parts, StringBuilder lit) {
    if (lit.length() > 0) {
      parts.add(lit.toString());
      lit.setLength(0);
    }
  }
}
