package org.cascadetuner.common.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cascadetuner.common.testing.DebianPackages;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Real files nobody here made: the photographs and awkward files of Debian's python3-skimage (fetched once by
 * {@link DebianPackages}). The manifest holds, for each, the header facts and the SHA-256 of the RGB that Pillow
 * decodes (under the product's policy), or the reason the file must be rejected; and for the larger RGB photos
 * the SHA-256 of Pillow's LANCZOS resizes.
 */
class SkimageFilesTest {

  @TestFactory
  List<DynamicTest> decodesSkimagesFilesAsPillowDoes() throws IOException {
    Path data = DebianPackages.skimageData();
    List<DynamicTest> tests = new ArrayList<>();
    ImageDecoder decoder = new ImageDecoder();
    ImageProbe probe = new ImageProbe();
    LanczosResampler resampler = new LanczosResampler();
    JsonNode entries = ImageFixtures.manifest().get("skimage");
    assertTrue(entries.size() >= 20, "the manifest lists " + entries.size() + " skimage files");
    for (JsonNode e : entries) {
      String name = e.get("file").asText();
      byte[] bytes = Files.readAllBytes(data.resolve(name));
      tests.add(DynamicTest.dynamicTest(name, () -> {
        assertEquals(e.get("sha256_file").asText(), ImageFile.sha256(bytes),
            name + " differs from the file the references were made from: rerun tools/make-image-fixtures.py");
        if (e.has("probe")) checkProbe(name, e.get("probe"), probe.probe(name, bytes));
        DecodeResult d = decoder.decode(name, bytes);
        if (e.has("reject")) {
          Rejection r = assertInstanceOf(Rejection.class, d, name + " (Pillow: " + e.path("pillow_error").asText() + ")");
          assertEquals(e.get("reject").asText(), r.reason().code(), r.message());
          return;
        }
        if (d instanceof Rejection r) fail(r.message());
        RgbImage image = (RgbImage) d;
        assertEquals(e.get("probe").get("width").asInt() + "x" + e.get("probe").get("height").asInt(),
            image.width() + "x" + image.height(), name + ": decoded size");
        assertEquals(e.get("sha256_rgb").asText(), ImageFile.sha256(image.rgb()), name + ": RGB differs from Pillow's");
        for (JsonNode r : e.path("resize")) {
          int w = r.get("width").asInt(), h = r.get("height").asInt();
          assertEquals(r.get("sha256").asText(), ImageFile.sha256(resampler.resize(image, w, h).rgb()),
              name + " resized to " + w + "x" + h + " differs from Pillow's LANCZOS");
        }
      }));
    }
    return tests;
  }

  private static void checkProbe(String name, JsonNode want, ProbeResult got) {
    if (got instanceof Rejection r) fail(r.message());
    ImageInfo info = (ImageInfo) got;
    assertEquals(want.get("format").asText(), info.format().code(), name + ": format");
    assertEquals(want.get("width").asInt(), info.width(), name + ": width");
    assertEquals(want.get("height").asInt(), info.height(), name + ": height");
    assertEquals(want.get("color").asText(), info.color().code(), name + ": colour model");
    assertEquals(want.get("alpha").asBoolean(), info.alpha(), name + ": alpha");
    assertEquals(want.get("bit_depth").asInt(), info.bitDepth(), name + ": bits per sample");
    assertEquals(want.get("frames").asInt(), info.frames(), name + ": frames");
    if (want.has("orientation")) assertEquals(want.get("orientation").asInt(), info.orientation(), name + ": orientation");
  }
}
