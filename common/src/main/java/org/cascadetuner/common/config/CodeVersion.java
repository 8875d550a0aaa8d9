package org.cascadetuner.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of the code that read a configuration, written by Maven into the build (resources-filtered/). */
public final class CodeVersion {
  private CodeVersion() {}

  public static String current() {
    Properties p = new Properties();
    try (InputStream in = CodeVersion.class.getResourceAsStream("version.properties")) {
      if (in != null) p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }
}
