package org.cascadetuner.common.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.cascadetuner.common.data.GeometryConfig.AspectChoice;
import org.cascadetuner.common.data.GeometryConfig.CropAspect;
import org.cascadetuner.common.data.GeometryConfig.CropStyle;

/**
 * The geometry part of a latent's cache fingerprint (DESIGN "Data flow"): a hash of exactly the settings that
 * change a latent's pixels — resolution, pre-crop resize, crop settings, alignment, rounding, effnet scale, and the
 * seed when crops or crop aspects are random. The too-small filter and the bucket aspect limits only decide
 * whether an image is used, so changing them leaves cached latents valid.
 */
public final class GeometryFingerprint {
  /** Bumped whenever our geometry arithmetic changes what a given configuration produces. */
  public static final String VERSION = "geometry-1";

  private GeometryFingerprint() {}

  public static String of(GeometryConfig c, double effnetScale, long seed) {
    StringBuilder s = new StringBuilder(VERSION)
        .append("|type=").append(c.resolutionType())
        .append("|resolution=").append(PyMath.repr(c.resolution()))
        .append("|maximum_image_size=").append(num(c.maximumImageSize()))
        .append("|target_downsample_size=").append(num(c.targetDownsampleSize()))
        .append("|crop=").append(c.crop())
        .append("|crop_style=").append(c.cropStyle())
        .append("|crop_aspect=").append(c.cropAspect())
        .append("|crop_aspect_buckets=");
    for (AspectChoice a : c.cropAspectBuckets()) s.append(PyMath.repr(a.aspect())).append(':').append(num(a.weight())).append(',');
    s.append("|alignment=").append(c.alignment())
        .append("|rounding=").append(c.rounding())
        .append("|effnet_scale=").append(PyMath.repr(effnetScale));
    boolean random = c.cropStyle() == CropStyle.RANDOM || (c.crop() && c.cropAspect() == CropAspect.RANDOM);
    if (random) s.append("|seed=").append(seed);
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String num(Double d) {
    return d == null ? "none" : PyMath.repr(d);
  }
}
