package org.cascadetuner.common.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExifOrientationTest {

  /** A 3x2 image whose pixel value is its index: each orientation must put the stored corners where EXIF says. */
  @Test
  void eachOrientationMovesTheStoredCorners() {
    byte[] px = new byte[18];
    for (int i = 0; i < 6; i++) Arrays.fill(px, 3 * i, 3 * i + 3, (byte) i);
    RgbImage stored = new RgbImage(3, 2, px); // 0 1 2 / 3 4 5
    // displayed images, row by row (EXIF 2.32, tag 0x0112: where the stored 0th row and column belong)
    int[][] shown = {
        null,
        {0, 1, 2, 3, 4, 5},
        {2, 1, 0, 5, 4, 3},
        {5, 4, 3, 2, 1, 0},
        {3, 4, 5, 0, 1, 2},
        {0, 3, 1, 4, 2, 5},
        {3, 0, 4, 1, 5, 2},
        {5, 2, 4, 1, 3, 0},
        {2, 5, 1, 4, 0, 3},
    };
    for (int o = 1; o <= 8; o++) {
      RgbImage out = ExifOrientation.apply(stored, o);
      assertEquals(o >= 5 ? 2 : 3, out.width(), "orientation " + o);
      int[] got = new int[6];
      for (int i = 0; i < 6; i++) got[i] = out.rgb()[3 * i];
      assertEquals(Arrays.toString(shown[o]), Arrays.toString(got), "orientation " + o);
    }
  }

  @Test
  void malformedExifReadsAsOne() {
    byte[] jpeg = ImageFixtures.bytes("fixtures/orientation_6.jpg");
    assertEquals(6, ExifOrientation.read(ImageFormat.JPEG, jpeg));
    int app1 = indexOf(jpeg, "Exif");
    // Pillow writes big-endian ("MM") EXIF: the entry is tag 0x0112, type 3 (SHORT), count 1, value 6
    int entry = indexOf(jpeg, "\u0001\u0012\u0000\u0003");
    for (int cut = app1; cut < entry + 20; cut++) {
      int o = ExifOrientation.read(ImageFormat.JPEG, Arrays.copyOf(jpeg, cut));
      assertEquals(cut < entry + 12 ? 1 : 6, o, "cut at " + cut + " (the 12-byte entry ends at " + (entry + 12) + ")");
    }
    byte[] bad = jpeg.clone();
    int tiff = app1 + 6;
    bad[tiff] = 'X'; // neither II nor MM
    assertEquals(1, ExifOrientation.read(ImageFormat.JPEG, bad));
  }

  private static int indexOf(byte[] b, String s) {
    outer:
    for (int i = 0; i + s.length() <= b.length; i++) {
      for (int k = 0; k < s.length(); k++) if (b[i + k] != s.charAt(k)) continue outer;
      return i;
    }
    throw new AssertionError(s + " not found");
  }
}
