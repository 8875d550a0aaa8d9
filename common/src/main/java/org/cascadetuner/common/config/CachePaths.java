package org.cascadetuner.common.config;

import java.net.URI;
import org.cascadetuner.common.io.Storage;

/** Compares cache folders as the file system sees them: local paths made absolute, URIs normalised. */
final class CachePaths {
  private CachePaths() {}

  static String key(String dir) {
    String d = dir.length() > 1 ? dir.replaceAll("/+$", "") : dir;
    if (Storage.isLocal(d)) return Storage.localPath(d).toAbsolutePath().normalize().toString();
    try {
      return URI.create(d).normalize().toString();
    } catch (IllegalArgumentException e) {
      return d;
    }
  }
}
