package org.cascadetuner.common.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Where files live: a plain path or {@code file://} URI is local disk (read with java.nio, memory-mapped where it
 * helps); any other scheme (s3a://, hdfs://) goes through Hadoop's FileSystem with the given configuration.
 */
public final class Storage {
  private Storage() {}

  public static boolean isLocal(String uri) {
    int colon = uri.indexOf(':');
    int slash = uri.indexOf('/');
    boolean hasScheme = colon > 1 && (slash < 0 || colon < slash);
    return !hasScheme || uri.startsWith("file:");
  }

  public static Path localPath(String uri) {
    return uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
  }

  /** Joins a child path onto a directory URI of any scheme. */
  public static String resolve(String dir, String child) {
    if (dir.endsWith("/")) return dir + child;
    return dir + "/" + child;
  }

  public static boolean exists(String uri, Configuration conf) {
    if (isLocal(uri)) return Files.exists(localPath(uri));
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
      return p.getFileSystem(conf).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(uri + ": " + e.getMessage(), e);
    }
  }

  public static InputStream open(String uri, Configuration conf) {
    try {
      if (isLocal(uri)) return Files.newInputStream(localPath(uri));
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
      return p.getFileSystem(conf).open(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + uri + ": " + e.getMessage(), e);
    }
  }

  public static byte[] readAll(String uri, Configuration conf) {
    try (InputStream in = open(uri, conf)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Creates (overwrites) a file; parent folders are made as needed. */
  public static OutputStream create(String uri, Configuration conf) {
    try {
      if (isLocal(uri)) {
        Path p = localPath(uri);
        if (p.getParent() != null) Files.createDirectories(p.getParent());
        return Files.newOutputStream(p);
      }
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
      FileSystem fs = p.getFileSystem(conf);
      return fs.create(p, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + uri + ": " + e.getMessage(), e);
    }
  }
}
