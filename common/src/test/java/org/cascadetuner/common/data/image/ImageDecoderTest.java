package org.cascadetuner.common.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every fixture of the manifest through {@link ImageDecoder} and {@link ImageProbe}: the pixels Pillow (under the
 * product's colour policy) gives, the header facts, or the reject reason.
 */
class ImageDecoderTest {
  private static final ImageDecoder DECODER = new ImageDecoder();
  private static final ImageProbe PROBE = new ImageProbe();

  @AfterAll
  static void close() {
    DECODER.close();
    PROBE.close();
  }

  @Test
  void theManifestCoversEveryFormatAndReason() {
    java.util.Set<String> formats = new java.util.TreeSet<>(), reasons = new java.util.TreeSet<>();
    for (JsonNode f : ImageFixtures.manifest().get("files")) {
      if (f.has("reject")) reasons.add(f.get("reject").asText());
      else formats.add(f.get("format").asText());
    }
    java.util.Set<String> allFormats = new java.util.TreeSet<>(), allReasons = new java.util.TreeSet<>();
    for (ImageFormat f : ImageFormat.values()) allFormats.add(f.code());
    for (RejectReason r : RejectReason.values()) allReasons.add(r.code());
    assertEquals(allFormats, formats);
    assertEquals(allReasons, reasons);
  }

  @TestFactory
  List<DynamicTest> decodesEveryFixtureAsPillowDoes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode f : ImageFixtures.manifest().get("files")) {
      if (f.has("reject")) continue;
      String file = f.get("file").asText();
      tests.add(DynamicTest.dynamicTest(file, () -> {
        DecodeResult d = DECODER.decode(file, ImageFixtures.bytes(file));
        if (d instanceof Rejection r) fail(r.message());
        RgbImage got = (RgbImage) d;
        RgbImage want = ImageFixtures.png(f.get("expected").asText());
        assertEquals(want.width() + "x" + want.height(), got.width() + "x" + got.height(), file + ": size");
        if (f.has("min_psnr")) {
          double psnr = ImageFixtures.psnr(got, want);
          assertTrue(psnr >= f.get("min_psnr").asDouble(), file + ": PSNR " + psnr + " dB against Pillow, "
              + f.get("min_psnr").asDouble() + " required (" + f.path("note").asText() + ")");
        } else {
          int tolerance = f.get("tolerance").asInt();
          int diff = ImageFixtures.maxDiff(got, want);
          assertTrue(diff <= tolerance, file + ": max |difference| " + diff + " > " + tolerance + "; "
              + ImageFixtures.firstDifference(got, want));
        }
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> probesEveryFixtureFromItsHeader() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode f : ImageFixtures.manifest().get("files")) {
      if (f.has("reject")) continue;
      String file = f.get("file").asText();
      tests.add(DynamicTest.dynamicTest(file, () -> {
        ProbeResult p = PROBE.probe(file, ImageFixtures.bytes(file));
        if (p instanceof Rejection r) fail(r.message());
        ImageInfo info = (ImageInfo) p;
        assertEquals(f.get("format").asText(), info.format().code(), file + ": format");
        assertEquals(f.get("width").asInt(), info.width(), file + ": displayed width");
        assertEquals(f.get("height").asInt(), info.height(), file + ": displayed height");
        assertEquals(f.get("orientation").asInt(), info.orientation(), file + ": EXIF orientation");
        assertEquals(f.get("color").asText(), info.color().code(), file + ": colour model");
        assertEquals(f.get("alpha").asBoolean(), info.alpha(), file + ": alpha");
        assertEquals(f.get("bit_depth").asInt(), info.bitDepth(), file + ": bits per sample");
        assertEquals(f.get("frames").asInt(), info.frames(), file + ": frames");
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> rejectsEveryBadFixtureWithItsReason() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode f : ImageFixtures.manifest().get("files")) {
      if (!f.has("reject")) continue;
      String file = f.get("file").asText();
      String reason = f.get("reject").asText();
      tests.add(DynamicTest.dynamicTest(file + " -> " + reason, () -> {
        byte[] bytes = ImageFixtures.bytes(file);
        Rejection r = assertInstanceOf(Rejection.class, DECODER.decode(file, bytes), file);
        assertEquals(reason, r.reason().code(), r.message());
        assertTrue(r.message().startsWith(file + ": " + reason), "the message names the file: " + r.message());
        // the probe reads headers and structure only: what they show must agree with the decoder
        ProbeResult p = PROBE.probe(file, bytes);
        boolean headerLevel = !reason.equals("undecodable") && !reason.equals("unsupported_color_model");
        if (headerLevel) {
          Rejection pr = assertInstanceOf(Rejection.class, p, file + ": the probe must see " + reason);
          assertEquals(reason, pr.reason().code(), pr.message());
        }
      }));
    }
    return tests;
  }

  @Test
  void rejectsEmptyAndUnknownBytesWithoutAReader() {
    assertEquals(RejectReason.ZERO_BYTES, ((Rejection) DECODER.decode("a.jpg", new byte[0])).reason());
    Rejection r = (Rejection) DECODER.decode("notes/a.png", "GIF87 is close but not it".getBytes());
    assertEquals(RejectReason.NOT_AN_IMAGE, r.reason());
    assertTrue(r.message().contains("notes/a.png") && r.message().contains("47 49 46 38 37"), r.message());
  }

  @Test
  void aLowerPixelLimitRejectsFromTheHeader() {
    byte[] jpeg = ImageFixtures.bytes("fixtures/baseline.jpg"); // 64 x 40 = 2560 pixels
    try (ImageDecoder strict = new ImageDecoder(new ImageLimits(2559)); ImageProbe probe =
        new ImageProbe(new ImageLimits(2559))) {
      Rejection r = (Rejection) strict.decode("b.jpg", jpeg);
      assertEquals(RejectReason.TOO_MANY_PIXELS, r.reason());
      assertTrue(r.message().contains("64x40 = 2560 pixels; the limit is 2559"), r.message());
      assertEquals(RejectReason.TOO_MANY_PIXELS, ((Rejection) probe.probe("b.jpg", jpeg)).reason());
    }
    try (ImageDecoder exact = new ImageDecoder(new ImageLimits(2560))) {
      assertInstanceOf(RgbImage.class, exact.decode("b.jpg", jpeg));
    }
  }

  @Test
  void theDefaultLimitIsPillowsMaxImagePixels() {
    long pillow = ImageFixtures.manifest().get("policy").get("max_image_pixels").asLong();
    assertEquals(pillow, ImageLimits.PILLOW_MAX_IMAGE_PIXELS);
    assertEquals(pillow, ImageLimits.DEFAULT.maxPixels());
  }

  @Test
  void aDecoderKeepsWorkingAfterABadFile() {
    byte[] good = ImageFixtures.bytes("fixtures/progressive.jpg");
    RgbImage first = (RgbImage) DECODER.decode("p.jpg", good);
    for (String bad : List.of("fixtures/truncated.jpg", "fixtures/bomb.jpg", "fixtures/garbage_idat.png",
        "fixtures/float32.tif")) {
      assertInstanceOf(Rejection.class, DECODER.decode(bad, ImageFixtures.bytes(bad)), bad);
      assertEquals(first, DECODER.decode("p.jpg", good), "after " + bad);
    }
  }

  /**
   * Cut and corrupted variants of every good fixture: whatever the decoder makes of them, it answers with an
   * image or a reason, never an exception, and a cut JPEG is never silently decoded.
   */
  @TestFactory
  List<DynamicTest> survivesCutAndCorruptedBytes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode f : ImageFixtures.manifest().get("files")) {
      if (f.has("reject")) continue;
      String file = f.get("file").asText();
      tests.add(DynamicTest.dynamicTest(file, () -> {
        byte[] good = ImageFixtures.bytes(file);
        java.util.Random random = new java.util.Random(file.hashCode());
        for (int k = 0; k < 12; k++) {
          byte[] bad;
          String how;
          if (k < 6) {
            int cut = 1 + random.nextInt(good.length - 1);
            bad = java.util.Arrays.copyOf(good, cut);
            how = "cut to " + cut + " bytes";
          } else {
            bad = good.clone();
            int at = 8 + random.nextInt(bad.length - 8);
            for (int i = at; i < Math.min(bad.length, at + 16); i++) bad[i] = (byte) random.nextInt(256);
            how = "16 random bytes at " + at;
          }
          DecodeResult d;
          ProbeResult p;
          try {
            d = DECODER.decode(file, bad);
            p = PROBE.probe(file, bad);
          } catch (RuntimeException e) {
            throw new AssertionError(file + " " + how + ": threw instead of answering", e);
          }
          assertTrue(d instanceof RgbImage || d instanceof Rejection, file + " " + how);
          assertTrue(p instanceof ImageInfo || p instanceof Rejection, file + " " + how);
          if (k < 6 && file.toLowerCase(Locale.ROOT).endsWith(".jpg")) {
            assertInstanceOf(Rejection.class, d, file + " " + how + " decoded as if whole");
          }
        }
      }));
    }
    return tests;
  }
}
