package org.cascadetuner.common.data;

/**
 * The geometry of one image (spec data-pipeline §3.4–§3.8): either kept with its target, resize and crop, or
 * rejected with a reason. One per image; the manifest stores it and the latent job replays it on the pixels.
 */
public sealed interface GeometryResult extends java.io.Serializable permits GeometryResult.Kept, GeometryResult.Rejected {
  Size original();

  boolean kept();

  /** The crop window's top-left corner in the resized image, written {@code [top, left]} as in the spec. */
  record CropOrigin(long top, long left) implements java.io.Serializable {}

  /**
   * @param target the training size (multiples of the alignment, or the square edge)
   * @param intermediary SimpleTuner's metadata {@code intermediary_size} (§3.5); kept for cache compatibility
   * @param resizeBeforeCrop what the image is actually resized to before cropping (§3.6; differs from intermediary
   *     when the pre-crop resize is on)
   * @param crop where the target window is cut from the resized image
   * @param aspect the bucket's float value (1.0 for square crops, else the key of the target)
   * @param bucket the bucket key string: Python's repr of {@code aspect}
   * @param chosenCropAspect the {@code crop_aspect_buckets} value used (closest/random), else null
   * @param resulting the size the crop really yields; smaller than target only for the §3.9 defects
   * @param latent the Stage C latent of this crop at the configured effnet scale
   */
  record Kept(Size original, Size target, Size intermediary, Size resizeBeforeCrop, CropOrigin crop, double aspect,
      String bucket, Double chosenCropAspect, Size resulting, LatentShape latent) implements GeometryResult {
    @Override
    public boolean kept() {
      return true;
    }

    /** False for the §3.9 defects: the crop comes out smaller than the bucket's target size. */
    public boolean fillsTarget() {
      return resulting.equals(target);
    }
  }

  /** @param detail a sentence naming the setting and the values that made the decision */
  record Rejected(Size original, RejectReason reason, String detail) implements GeometryResult {
    @Override
    public boolean kept() {
      return false;
    }
  }

  enum RejectReason {
    /** Below {@code minimum_image_size} (§3.4). */
    TOO_SMALL("too_small"),
    /** Area-mode {@code minimum_image_size} above 5 megapixels: SimpleTuner raises for every image (§2.5). */
    INVALID_MINIMUM_IMAGE_SIZE("invalid_minimum_image_size"),
    /** A non-positive width or height. */
    INVALID_DIMENSIONS("invalid_dimensions");

    private final String code;

    RejectReason(String code) {
      this.code = code;
    }

    /** The stable string written to manifests and the geometry command. */
    public String code() {
      return code;
    }
  }
}
