package org.cascadetuner.common.data.image;

/**
 * Where a training crop comes from, in the geometry's terms (spec data-pipeline §3.6/§3.7): the image is resized
 * to resizeWidth × resizeHeight, then the crop of cropWidth × cropHeight at (cropTop, cropLeft) is kept. Plain
 * ints, so any geometry implementation can fill it.
 */
public record CropSpec(int resizeWidth, int resizeHeight, int cropTop, int cropLeft, int cropWidth, int cropHeight) {

  public CropSpec {
    if (resizeWidth <= 0 || resizeHeight <= 0 || cropWidth <= 0 || cropHeight <= 0 || cropTop < 0 || cropLeft < 0
        || cropLeft + cropWidth > resizeWidth || cropTop + cropHeight > resizeHeight) {
      throw new IllegalArgumentException("crop " + cropWidth + "x" + cropHeight + " at (top " + cropTop + ", left "
          + cropLeft + ") must lie inside the resized " + resizeWidth + "x" + resizeHeight + " image");
    }
  }
}
