package org.cascadetuner.common.io;

/**
 * File names of SimpleTuner's caches (spec data-pipeline §5.1, §5.2), so an existing SimpleTuner cache can be
 * found and migrated. Paths are '/'-separated; {@code cacheDir} is used as given (SimpleTuner makes it absolute).
 */
public final class SimpleTunerCacheNames {
  private SimpleTunerCacheNames() {}

  /** Stable Cascade's model family in SimpleTuner's file names. */
  public static final String STABLE_CASCADE = "stable_cascade";

  /** {@code <cache_dir>/<md5(caption)>-<model family>.pt}. */
  public static String textEmbedFile(String cacheDir, String caption, String modelFamily) {
    return join(cacheDir, CacheKeys.textKey(caption) + "-" + modelFamily + ".pt");
  }

  /**
   * {@code <cache_dir>/<dirname with every occurrence of instance_data_dir removed, leading '/' stripped>/
   * sha256(basename without extension).pt}; a path already ending in {@code .pt} is returned unchanged.
   *
   * @param instanceDataDir may be null or empty (then no sub-folder is kept)
   */
  public static String latentFile(String imagePath, String instanceDataDir, String cacheDir) {
    if (imagePath.endsWith(".pt")) return imagePath;
    int slash = imagePath.lastIndexOf('/');
    String base = imagePath.substring(slash + 1);
    String dir = slash < 0 ? "" : (slash == 0 ? "/" : imagePath.substring(0, slash));
    String stem = splitextRoot(base);
    String sub = "";
    if (instanceDataDir != null && !instanceDataDir.isEmpty()) {
      sub = dir.replace(instanceDataDir, "");
      while (sub.startsWith("/")) sub = sub.substring(1);
    }
    String name = CacheKeys.sha256(stem) + ".pt";
    return sub.isEmpty() ? join(cacheDir, name) : join(join(cacheDir, sub), name);
  }

  private static String splitextRoot(String base) {
    int dot = base.lastIndexOf('.');
    int first = 0;
    while (first < dot && base.charAt(first) == '.') first++;
    return dot > 0 && first < dot ? base.substring(0, dot) : base;
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : a.endsWith("/") ? a + b : a + "/" + b;
  }
}
