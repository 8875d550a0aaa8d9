package org.cascadetuner.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/** Reads configuration files (local paths or Hadoop URIs) and finds the files config.json names. */
final class ConfigFiles {
  private ConfigFiles() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The parsed file, or null after reporting why it could not be read. */
  static JsonNode read(String location, Diagnostics.Scope d) {
    byte[] bytes;
    try {
      bytes = Storage.isLocal(location) ? Files.readAllBytes(Storage.localPath(location))
          : Storage.readAll(location, new Configuration());
    } catch (IOException | UncheckedIOException e) {
      d.error(null, null, "Cannot read " + location + ": " + reason(e), null);
      return null;
    }
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || n.isMissingNode()) {
        d.error(null, null, location + " is empty; it must hold JSON.", null);
        return null;
      }
      return n;
    } catch (JsonProcessingException e) {
      d.error(null, null, location + " is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage(), null);
      return null;
    } catch (IOException e) {
      d.error(null, null, "Cannot read " + location + ": " + reason(e), null);
      return null;
    }
  }

  /**
   * A file that config.json names: as given when it exists there (relative to the working folder, as SimpleTuner
   * reads it), else beside config.json; null when neither exists.
   */
  static String locate(String given, String configFile) {
    if (exists(given)) return given;
    String sibling = sibling(configFile, given);
    return sibling != null && exists(sibling) ? sibling : null;
  }

  static String sibling(String configFile, String relative) {
    if (isAbsolute(relative)) return null;
    if (Storage.isLocal(configFile)) {
      Path parent = Storage.localPath(configFile).toAbsolutePath().getParent();
      return parent == null ? null : parent.resolve(relative).normalize().toString();
    }
    int slash = configFile.lastIndexOf('/');
    return slash < 0 ? null : configFile.substring(0, slash + 1) + relative;
  }

  private static boolean isAbsolute(String p) {
    return !Storage.isLocal(p) || Storage.localPath(p).isAbsolute();
  }

  private static boolean exists(String location) {
    try {
      return Storage.isLocal(location) ? Files.isRegularFile(Storage.localPath(location))
          : Storage.exists(location, new Configuration());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String reason(Exception e) {
    Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (t instanceof NoSuchFileException) return "no such file";
    if (t instanceof AccessDeniedException) return "permission denied";
    return t.getMessage();
  }
}
