package org.cascadetuner.common.data.image;

/**
 * A GIF's first frame may cover only part of the logical screen (ImageIO returns just the frame's rectangle;
 * Pillow, like a browser, shows the whole screen). The uncovered area is painted with the background the
 * decoder composites transparency onto (white), since a GIF's "background colour" is widely ignored by viewers.
 */
final class GifScreen {
  private GifScreen() {}

  static RgbImage place(RgbImage frame, byte[] bytes) {
    int[] screen = Containers.gifScreen(bytes);
    int[] rect = Containers.gifFirstFrame(bytes);
    if (rect == null) return frame;
    int sw = screen[0], sh = screen[1], left = rect[0], top = rect[1];
    if (sw == frame.width() && sh == frame.height() && left == 0 && top == 0) return frame;
    if (sw <= 0 || sh <= 0) return frame;
    byte[] out = new byte[3 * sw * sh];
    java.util.Arrays.fill(out, (byte) RasterConverter.BACKGROUND);
    int w = Math.min(frame.width(), sw - left), h = Math.min(frame.height(), sh - top);
    for (int y = 0; y < h && w > 0; y++) {
      System.arraycopy(frame.rgb(), 3 * y * frame.width(), out, 3 * ((top + y) * sw + left), 3 * w);
    }
    return new RgbImage(sw, sh, out);
  }
}
