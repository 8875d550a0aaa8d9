package org.cascadetuner.common.io;

import static org.cascadetuner.common.data.BucketVectors.checkAll;
import static org.cascadetuner.common.data.BucketVectors.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.data.GeometryConfig;
import org.cascadetuner.common.data.GeometryFingerprint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SimpleTuner's cache file names from the vectors (so its caches can be found), and where cascade-tuner's keys
 * deliberately differ.
 */
class CacheKeysTest {
  @TempDir Path tmp;

  @Test
  void textEmbedFileNames() {
    checkAll("text_embed_cache_filename", v -> {
      JsonNode in = v.get("input");
      expect("filename", v.get("expected").get("filename").asText(), SimpleTunerCacheNames.textEmbedFile(
          in.get("cache_dir").asText(), in.get("caption").asText(), in.get("model_family").asText()));
      String name = v.get("expected").get("filename").asText();
      expect("our text key is the same md5", name.substring(name.lastIndexOf('/') + 1, name.lastIndexOf('-')),
          CacheKeys.textKey(in.get("caption").asText()));
    });
    assertEquals(CacheKeys.textKey(""), CacheKeys.NULL_TEXT_KEY);
  }

  @Test
  void latentFileNames() {
    checkAll("vae_cache_filename", v -> {
      JsonNode in = v.get("input");
      String dir = in.get("instance_data_dir").isNull() ? null : in.get("instance_data_dir").asText();
      expect("cache_path", v.get("expected").get("cache_path").asText(), SimpleTunerCacheNames.latentFile(
          in.get("image_path").asText(), dir, in.get("cache_dir").asText()));
    });
  }

  /**
   * Deviation (DESIGN decision 5): SimpleTuner maps {@code a.png} and {@code a.jpg} of one folder to one latent file;
   * our latent key keeps the relative path (with extension) and the content hash, so they stay apart, and a changed
   * image or changed fingerprint gives a new key.
   */
  @Test
  void ourLatentKeysDoNotCollideAndFollowContentAndFingerprint() throws Exception {
    assertEquals(SimpleTunerCacheNames.latentFile("/ds/a.png", "/ds", "/c"),
        SimpleTunerCacheNames.latentFile("/ds/a.jpg", "/ds", "/c"), "SimpleTuner: one file for both");
    Path root = tmp.resolve("ds");
    Files.createDirectories(root);
    Files.write(root.resolve("a.png"), new byte[] {1, 2, 3});
    Files.write(root.resolve("a.jpg"), new byte[] {1, 2, 3});
    Configuration conf = new Configuration();
    CacheKeys.Fingerprint fp = new CacheKeys.Fingerprint("effnet-hash", "geometry-hash", "float32");
    CacheKeys.LatentKey png = new CacheKeys.LatentKey(CacheKeys.relativePath(root.resolve("a.png").toString(), root.toString()),
        CacheKeys.contentSha256(root.resolve("a.png").toString(), conf), fp);
    CacheKeys.LatentKey jpg = new CacheKeys.LatentKey(CacheKeys.relativePath(root.resolve("a.jpg").toString(), root.toString()),
        CacheKeys.contentSha256(root.resolve("a.jpg").toString(), conf), fp);
    assertEquals("a.png", png.relativePath());
    assertEquals(png.contentSha256(), jpg.contentSha256(), "same bytes");
    assertNotEquals(png.id(), jpg.id(), "different paths: different keys");
    assertEquals(CacheKeys.sha256(new byte[] {1, 2, 3}), png.contentSha256());
    assertNotEquals(png.id(), new CacheKeys.LatentKey("a.png", CacheKeys.sha256(new byte[] {9}), fp).id());
    assertNotEquals(png.id(), new CacheKeys.LatentKey("a.png", png.contentSha256(),
        new CacheKeys.Fingerprint("effnet-hash", "geometry-hash", "bfloat16")).id());
    assertThrows(IllegalArgumentException.class, () -> CacheKeys.relativePath("/elsewhere/a.png", root.toString()));
  }

  @Test
  void geometryFingerprintTracksOnlyWhatChangesLatents() {
    GeometryConfig base = new GeometryConfig(GeometryConfig.ResolutionType.AREA, 1.048576, 0.5, null, null, true,
        GeometryConfig.CropStyle.CENTER, GeometryConfig.CropAspect.SQUARE, List.of(), 64, 2, null, null);
    String h = GeometryFingerprint.of(base, 0.75, 1);
    GeometryConfig otherMinimum = new GeometryConfig(GeometryConfig.ResolutionType.AREA, 1.048576, 0.7, null, null,
        true, GeometryConfig.CropStyle.CENTER, GeometryConfig.CropAspect.SQUARE, List.of(), 64, 2, 0.5, 2.0);
    assertEquals(h, GeometryFingerprint.of(otherMinimum, 0.75, 1), "filters do not change latents");
    assertEquals(h, GeometryFingerprint.of(base, 0.75, 2), "centre crops do not depend on the seed");
    assertNotEquals(h, GeometryFingerprint.of(base, 1.0, 1));
    GeometryConfig random = new GeometryConfig(GeometryConfig.ResolutionType.AREA, 1.048576, 0.5, null, null, true,
        GeometryConfig.CropStyle.RANDOM, GeometryConfig.CropAspect.SQUARE, List.of(), 64, 2, null, null);
    assertNotEquals(GeometryFingerprint.of(random, 0.75, 1), GeometryFingerprint.of(random, 0.75, 2));
  }
}
