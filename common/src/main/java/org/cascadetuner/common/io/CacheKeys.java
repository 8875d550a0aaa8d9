package org.cascadetuner.common.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;

/**
 * How cache rows are keyed (DESIGN "Data flow", decision 5; spec data-pipeline §5).
 *
 * <ul>
 *   <li>Text embeddings: {@code md5(UTF-8 caption)} as hex — SimpleTuner's key, so its caches stay readable; the
 *       caption is the final (stripped, prefixed, unfiltered) one, and {@code ""} is the null embedding.</li>
 *   <li>Latents: the image's dataset-relative path, the SHA-256 of its bytes, and a {@link Fingerprint} of what
 *       produced the latent. SimpleTuner keys by {@code sha256(basename without extension)} alone, so
 *       {@code a.png} and {@code a.jpg} share a file and a changed image or config is never noticed.</li>
 * </ul>
 */
public final class CacheKeys {
  private CacheKeys() {}

  /** The text-embedding key of the empty caption (caption dropout's null embedding). */
  public static final String NULL_TEXT_KEY = textKey("");

  public static String textKey(String caption) {
    return hex("MD5", caption.getBytes(StandardCharsets.UTF_8));
  }

  public static String sha256(byte[] bytes) {
    return hex("SHA-256", bytes);
  }

  public static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /** SHA-256 of a file's content (local or Hadoop URI), streamed. */
  public static String contentSha256(String uri, Configuration conf) {
    MessageDigest md = digest("SHA-256");
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Storage.open(uri, conf)) {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) md.update(buf, 0, n);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hash " + uri + ": " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * What produced a cache row; a row whose fingerprint differs from the current one is stale.
   *
   * @param encoderWeights hash of the encoder's weights (EfficientNet for latents, CLIP-G for text)
   * @param config hash of the settings that shape the input (geometry for latents, caption filter for text)
   * @param dtype the stored dtype, e.g. "float32", "bfloat16"
   */
  public record Fingerprint(String encoderWeights, String config, String dtype) {
    /** One hex string for all three parts. */
    public String id() {
      return sha256(encoderWeights + "\0" + config + "\0" + dtype);
    }
  }

  /**
   * A latent's identity.
   *
   * @param relativePath the image path relative to its dataset root, '/'-separated
   * @param contentSha256 SHA-256 of the image file's bytes
   */
  public record LatentKey(String relativePath, String contentSha256, Fingerprint fingerprint) {
    /** One hex string for the whole key. */
    public String id() {
      return sha256(relativePath + "\0" + contentSha256 + "\0" + fingerprint.id());
    }
  }

  /**
   * The path of an image relative to its dataset root (both local paths or URIs of one scheme); a proper prefix
   * match, unlike SimpleTuner's substring removal.
   */
  public static String relativePath(String imageUri, String datasetRoot) {
    String root = datasetRoot.endsWith("/") ? datasetRoot : datasetRoot + "/";
    if (!imageUri.startsWith(root) || imageUri.length() == root.length()) {
      throw new IllegalArgumentException("image " + imageUri + " is not inside the dataset folder " + datasetRoot
          + " (instance_data_dir)");
    }
    return imageUri.substring(root.length());
  }

  private static String hex(String algorithm, byte[] bytes) {
    return HexFormat.of().formatHex(digest(algorithm).digest(bytes));
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
