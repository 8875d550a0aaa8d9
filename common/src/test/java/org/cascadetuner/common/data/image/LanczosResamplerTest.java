package org.cascadetuner.common.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The resampler against Pillow's {@code Image.resize(size, Image.LANCZOS)} outputs, bit for bit. */
class LanczosResamplerTest {
  private final LanczosResampler resampler = new LanczosResampler();

  private static RgbImage source(JsonNode entry) {
    return ImageFixtures.png(entry.get("input").asText());
  }

  @TestFactory
  List<DynamicTest> equalsPillowLanczosToTheBit() {
    List<DynamicTest> tests = new ArrayList<>();
    assertTrue(ImageFixtures.manifest().get("resize").size() >= 10, "the manifest lists the Pillow resizes");
    for (JsonNode e : ImageFixtures.manifest().get("resize")) {
      int w = e.get("width").asInt(), h = e.get("height").asInt();
      tests.add(DynamicTest.dynamicTest(e.get("input").asText() + " -> " + w + "x" + h, () -> {
        RgbImage in = source(e);
        RgbImage out = resampler.resize(in, w, h);
        if (e.has("output")) {
          RgbImage want = ImageFixtures.png(e.get("output").asText());
          assertEquals(0, ImageFixtures.maxDiff(out, want), ImageFixtures.firstDifference(out, want));
        }
        assertEquals(e.get("sha256").asText(), ImageFile.sha256(out.rgb()), "SHA-256 of the RGB bytes");
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> cropsAndScalesAsPillowResizeCropResize() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode e : ImageFixtures.manifest().get("chain")) {
      CropSpec spec = new CropSpec(e.get("resize").get(0).asInt(), e.get("resize").get(1).asInt(),
          e.get("crop_top_left").get(0).asInt(), e.get("crop_top_left").get(1).asInt(),
          e.get("crop_size").get(0).asInt(), e.get("crop_size").get(1).asInt());
      double scale = e.get("scale").asDouble();
      tests.add(DynamicTest.dynamicTest(spec + " scale " + scale, () -> {
        RgbImage crop = resampler.resizeAndCrop(source(e), spec.resizeWidth(), spec.resizeHeight(), spec.cropTop(),
            spec.cropLeft(), spec.cropWidth(), spec.cropHeight());
        RgbImage wantCrop = ImageFixtures.png(e.get("crop_output").asText());
        assertEquals(0, ImageFixtures.maxDiff(crop, wantCrop), ImageFixtures.firstDifference(crop, wantCrop));
        RgbImage scaled = new EffnetPreprocess(scale, resampler).scaled(crop);
        RgbImage wantScaled = ImageFixtures.png(e.get("scaled_output").asText());
        assertEquals(wantScaled.width() + "x" + wantScaled.height(), scaled.width() + "x" + scaled.height());
        assertEquals(0, ImageFixtures.maxDiff(scaled, wantScaled), ImageFixtures.firstDifference(scaled, wantScaled));
      }));
    }
    return tests;
  }

  /** The crop-only computation against the whole resize cropped afterwards, on random geometry. */
  @Test
  void resizeAndCropEqualsResizeThenCrop() {
    RgbImage in = ImageFixtures.png("resize/source.png");
    Random random = new Random(11);
    for (int k = 0; k < 60; k++) {
      int w = 1 + random.nextInt(260), h = 1 + random.nextInt(260);
      int cw = 1 + random.nextInt(w), ch = 1 + random.nextInt(h);
      int left = random.nextInt(w - cw + 1), top = random.nextInt(h - ch + 1);
      RgbImage whole = resampler.resize(in, w, h).crop(left, top, cw, ch);
      RgbImage part = resampler.resizeAndCrop(in, w, h, top, left, cw, ch);
      assertEquals(whole, part, w + "x" + h + " crop " + cw + "x" + ch + " at (" + top + ", " + left + ")");
    }
  }

  @Test
  void aConstantImageStaysConstant() {
    byte[] grey = new byte[3 * 37 * 23];
    java.util.Arrays.fill(grey, (byte) 201);
    RgbImage in = new RgbImage(37, 23, grey);
    for (int[] size : new int[][] {{5, 3}, {36, 22}, {100, 61}, {1, 1}, {37, 90}}) {
      RgbImage out = resampler.resize(in, size[0], size[1]);
      for (byte b : out.rgb()) assertEquals(201, b & 0xFF, size[0] + "x" + size[1]);
    }
  }

  @Test
  void theSameSizeIsACopyAndOneAxisIsOnePass() {
    RgbImage in = ImageFixtures.png("resize/source.png");
    assertEquals(in, resampler.resize(in, in.width(), in.height()));
    // only the height changes: each column is resampled on its own, so a column of the input decides a column
    RgbImage tall = resampler.resize(in, in.width(), 200);
    RgbImage column = resampler.resize(in.crop(17, 0, 1, in.height()), 1, 200);
    for (int y = 0; y < 200; y++) {
      for (int c = 0; c < 3; c++) assertEquals(tall.get(17, y, c), column.get(0, y, c));
    }
  }

  @Test
  void kernelWeightsFollowPillowsLayout() {
    LanczosKernel down = LanczosKernel.of(1920, 1820);
    assertSame(down, LanczosKernel.of(1920, 1820), "tables are cached per (in, out)");
    // support 3·1920/1820 = 3.165 → ksize 2·ceil(3.165) + 1 = 9
    assertEquals(9, down.stride);
    LanczosKernel up = LanczosKernel.of(100, 333);
    assertEquals(7, up.stride, "upscaling keeps the unstretched support of 3: ksize 7");
    for (LanczosKernel k : List.of(down, up)) {
      for (int i = 0; i < k.outSize; i++) {
        long sum = 0;
        for (int j = 0; j < k.count[i]; j++) sum += k.weight[i * k.stride + j];
        assertTrue(Math.abs(sum - (1 << LanczosKernel.PRECISION_BITS)) <= k.count[i], "weights of " + i + " sum to 1");
        assertTrue(k.start[i] >= 0 && k.start[i] + k.count[i] <= k.inSize);
      }
    }
  }

  @Test
  void refusesACropOutsideTheResizedImage() {
    RgbImage in = new RgbImage(4, 4, new byte[48]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> resampler.resizeAndCrop(in, 10, 10, 5, 0, 4, 6));
    assertTrue(e.getMessage().contains("crop 4x6 at (top 5, left 0)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CropSpec(10, 10, 0, 8, 4, 4));
  }

  @Test
  void rgbImageCropCopiesTheRectangle() {
    byte[] px = new byte[3 * 4 * 3];
    for (int i = 0; i < px.length; i++) px[i] = (byte) i;
    RgbImage c = new RgbImage(4, 3, px).crop(1, 1, 2, 2);
    assertArrayEquals(new byte[] {15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32}, c.rgb());
  }
}
