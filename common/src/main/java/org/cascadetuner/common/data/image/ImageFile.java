package org.cascadetuner.common.data.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * A file's bytes as read from storage, with the facts the manifest keeps about them (size, SHA-256). Reading is
 * the one step here that can fail for reasons other than the file's content: a storage failure (network, S3
 * throttling, a vanished mount) throws {@link java.io.UncheckedIOException} and is worth retrying; everything that
 * is wrong with the bytes themselves comes back later as a {@link Rejection}.
 *
 * @param uri where the bytes came from
 * @param bytes the whole file
 * @param sha256 lower-case hex SHA-256 of the bytes
 */
public record ImageFile(String uri, byte[] bytes, String sha256) {

  public ImageFile {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(sha256, "sha256");
  }

  /** Reads a whole file (local path, file://, s3a://, hdfs://). */
  public static ImageFile read(String uri, Configuration conf) {
    byte[] bytes = Storage.readAll(uri, conf);
    return new ImageFile(uri, bytes, sha256(bytes));
  }

  public long size() {
    return bytes.length;
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
