package org.cascadetuner.common.data.caption;

/**
 * Python's string and path semantics that caption handling depends on: {@code str.strip()} (Python's own whitespace
 * set, which includes U+00A0 and other spaces Java's {@code strip} leaves), {@code PurePath(p).stem} and
 * {@code os.path.splitext}, all on '/'-separated paths (local paths and URIs alike).
 */
public final class PyText {
  private PyText() {}

  /** Python's {@code str.isspace} for one code point ({@code _PyUnicode_IsWhitespace}). */
  public static boolean isSpace(int c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
  }

  /** {@code s.strip()}. */
  public static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isSpace(s.codePointAt(start))) start += Character.charCount(s.codePointAt(start));
    while (end > start && isSpace(s.codePointBefore(end))) end -= Character.charCount(s.codePointBefore(end));
    return s.substring(start, end);
  }

  /** The last path component. */
  public static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** {@code PurePath(path).stem}: the name without its last suffix; a leading or trailing dot is not a suffix. */
  public static String stem(String path) {
    String name = name(path);
    int i = name.lastIndexOf('.');
    return (i > 0 && i < name.length() - 1) ? name.substring(0, i) : name;
  }

  /** {@code os.path.splitext(path)[0]}: leading dots of the last component never start an extension. */
  public static String splitextRoot(String path) {
    int sep = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    if (dot > sep) {
      int first = sep + 1;
      while (first < dot && path.charAt(first) == '.') first++;
      if (first < dot) return path.substring(0, dot);
    }
    return path;
  }
}
