package org.cascadetuner.common.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the team's reference material (specs, goldens). Order: the system property {@code cascadetuner.shared},
 * then {@code ../shared} beside the checkout (the canonical copy; an acceptance set is swapped in there), then the
 * copy committed in {@code shared/}.
 */
public final class SharedFiles {
  private SharedFiles() {}

  public static Path root() {
    String prop = System.getProperty("cascadetuner.shared", "");
    if (!prop.isBlank()) return Path.of(prop).toAbsolutePath().normalize();
    Path repo = repoRoot();
    Path beside = repo.resolveSibling("shared");
    if (Files.isDirectory(beside.resolve("goldens"))) return beside;
    Path inside = repo.resolve("shared");
    if (Files.isDirectory(inside.resolve("goldens"))) return inside;
    throw new IllegalStateException("shared/ reference material not found beside or inside " + repo);
  }

  public static Path resolve(String relative) {
    return root().resolve(relative);
  }

  public static Path goldens(String relative) {
    return root().resolve("goldens").resolve(relative);
  }

  public static Path spec(String relative) {
    return root().resolve("spec").resolve(relative);
  }

  /** The checkout's root: the nearest ancestor of the working directory holding {@code .ci} or {@code bin/cascade-tuner}. */
  public static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isRegularFile(q.resolve("bin/cascade-tuner"))) return q;
    }
    throw new IllegalStateException("not inside a cascade-tuner checkout: " + p);
  }
}
