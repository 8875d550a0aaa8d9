package org.cascadetuner.common.data.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The fixtures written by tools/make-image-fixtures.py (common/src/test/resources/images/): their manifest, their
 * bytes, and the expected images read through plain {@code ImageIO.read}, a path independent of the decoder
 * under test.
 */
final class ImageFixtures {
  private ImageFixtures() {}

  private static JsonNode manifest;

  static Path root() {
    try {
      return Path.of(ImageFixtures.class.getResource("/images/manifest.json").toURI()).getParent();
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("images/manifest.json is not on the test classpath", e);
    }
  }

  static synchronized JsonNode manifest() {
    if (manifest == null) {
      try {
        manifest = new ObjectMapper().readTree(root().resolve("manifest.json").toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return manifest;
  }

  static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(root().resolve(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An 8-bit RGB PNG written by Pillow, through ImageIO and Java2D's getRGB. */
  static RgbImage png(Path file) {
    try {
      BufferedImage b = ImageIO.read(file.toFile());
      if (b == null) throw new IllegalStateException("ImageIO cannot read " + file);
      int w = b.getWidth(), h = b.getHeight();
      byte[] rgb = new byte[3 * w * h];
      for (int y = 0, o = 0; y < h; y++) {
        for (int x = 0; x < w; x++, o += 3) {
          int p = b.getRGB(x, y);
          rgb[o] = (byte) (p >> 16);
          rgb[o + 1] = (byte) (p >> 8);
          rgb[o + 2] = (byte) p;
        }
      }
      return new RgbImage(w, h, rgb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RgbImage png(String relative) {
    return png(root().resolve(relative));
  }

  /** Largest |a − b| over all samples; the sizes must match. */
  static int maxDiff(RgbImage a, RgbImage b) {
    int max = 0;
    for (int i = 0; i < a.rgb().length; i++) max = Math.max(max, Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF)));
    return max;
  }

  static double psnr(RgbImage a, RgbImage b) {
    double se = 0;
    for (int i = 0; i < a.rgb().length; i++) {
      double d = (a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF);
      se += d * d;
    }
    double mse = se / a.rgb().length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  /** Where the first difference is, for failure messages. */
  static String firstDifference(RgbImage a, RgbImage b) {
    for (int i = 0; i < a.rgb().length; i++) {
      if (a.rgb()[i] != b.rgb()[i]) {
        int px = i / 3;
        return "first difference at x=" + px % a.width() + " y=" + px / a.width() + " channel " + i % 3 + ": "
            + (a.rgb()[i] & 0xFF) + " vs " + (b.rgb()[i] & 0xFF);
      }
    }
    return "no difference";
  }
}
