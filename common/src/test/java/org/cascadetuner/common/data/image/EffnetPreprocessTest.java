package org.cascadetuner.common.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.io.TensorInfo;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;

class EffnetPreprocessTest {

  /** The golden effnet inputs: torchvision's Normalize of image01 must be reproduced to the last bit. */
  @Test
  void normalisesAsTorchvisionDoes() throws Exception {
    JsonNode meta = new ObjectMapper().readTree(SharedFiles.goldens("effnet/meta.json").toFile());
    for (int c = 0; c < 3; c++) {
      assertEquals((float) meta.get("mean").get(c).asDouble(), EffnetPreprocess.MEAN[c]);
      assertEquals((float) meta.get("std").get(c).asDouble(), EffnetPreprocess.STD[c]);
    }
    try (SafeTensors io = SafeTensors.open(SharedFiles.goldens("effnet/io.safetensors"))) {
      TensorInfo info = io.info("image01");
      long[] shape = info.shape();
      float[] x = io.floats("image01");
      float[] want = io.floats("image_normalized");
      int plane = (int) (shape[2] * shape[3]);
      float[] got = new float[x.length];
      for (int i = 0; i < x.length; i++) got[i] = EffnetPreprocess.normalize(x[i], (i / plane) % 3);
      assertArrayEquals(want, got, 0f);
    }
  }

  /** Bytes to floats: v / 255 in float32, then the same normalisation; the chain's tensors from numpy agree. */
  @Test
  void theCropChainGivesTheReferenceTensors() {
    LanczosResampler resampler = new LanczosResampler();
    String tensors = ImageFixtures.manifest().get("chain_tensors").asText();
    try (SafeTensors st = SafeTensors.open(ImageFixtures.root().resolve(tensors))) {
      for (JsonNode e : ImageFixtures.manifest().get("chain")) {
        RgbImage scaled = ImageFixtures.png(e.get("scaled_output").asText());
        EffnetInput in = EffnetPreprocess.normalized(scaled);
        byte[] le = new byte[4 * in.chw().length];
        java.nio.ByteBuffer.wrap(le).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(in.chw());
        assertEquals(e.get("tensor_sha256").asText(), ImageFile.sha256(le), e.get("scaled_output").asText());
        if (e.has("tensor")) assertArrayEquals(st.floats(e.get("tensor").asText()), in.chw(), 0f);
        // and the whole way from the source image, through the loader's steps
        RgbImage crop = resampler.resizeAndCrop(ImageFixtures.png(e.get("input").asText()),
            e.get("resize").get(0).asInt(), e.get("resize").get(1).asInt(), e.get("crop_top_left").get(0).asInt(),
            e.get("crop_top_left").get(1).asInt(), e.get("crop_size").get(0).asInt(), e.get("crop_size").get(1).asInt());
        EffnetInput full = new EffnetPreprocess(e.get("scale").asDouble(), resampler).input(crop);
        assertArrayEquals(in.chw(), full.chw(), 0f);
      }
    }
  }

  @Test
  void scaledSizesRoundHalfToEven() {
    assertEquals(768, EffnetPreprocess.scaledSize(1024, 0.75));
    assertEquals(864, EffnetPreprocess.scaledSize(1152, 0.75));
    assertEquals(672, EffnetPreprocess.scaledSize(896, 0.75));
    assertEquals(2, EffnetPreprocess.scaledSize(5, 0.5), "2.5 rounds to 2, as Python's round");
    assertEquals(4, EffnetPreprocess.scaledSize(7, 0.5), "3.5 rounds to 4");
    assertEquals(1, EffnetPreprocess.scaledSize(1, 0.25));
    assertEquals(EffnetPreprocess.DEFAULT_SCALE, 0.75);
    assertThrows(IllegalArgumentException.class, () -> new EffnetPreprocess(0, new LanczosResampler()));
    assertThrows(IllegalArgumentException.class, () -> new EffnetPreprocess(1.5, new LanczosResampler()));
  }

  @Test
  void theLoaderRunsTheWholeChainOnAFile() {
    byte[] jpeg = ImageFixtures.bytes("fixtures/orientation_6.jpg"); // displayed 48 x 32
    try (TrainingImageLoader loader = new TrainingImageLoader(ImageLimits.DEFAULT, 0.75)) {
      CropSpec spec = new CropSpec(72, 48, 0, 4, 64, 48);
      EffnetInput in = assertInstanceOf(EffnetInput.class, loader.load("o6.jpg", jpeg, spec));
      assertEquals(36, in.height());
      assertEquals(48, in.width());
      RgbImage decoded = (RgbImage) new ImageDecoder().decode("o6.jpg", jpeg);
      LanczosResampler r = new LanczosResampler();
      RgbImage crop = r.resize(decoded, 72, 48).crop(4, 0, 64, 48);
      assertEquals(crop, loader.crop("o6.jpg", jpeg, spec));
      assertArrayEquals(EffnetPreprocess.normalized(r.resize(crop, 48, 36)).chw(), in.chw(), 0f);
      Rejection bad = assertInstanceOf(Rejection.class,
          loader.load("t.jpg", ImageFixtures.bytes("fixtures/truncated.jpg"), spec));
      assertEquals(RejectReason.TRUNCATED, bad.reason());
    }
  }
}
