package org.cascadetuner.common.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path tmp;

  @Test
  void readsTheGoldenFilesHeadersAndData() {
    try (SafeTensors st = SafeTensors.open(SharedFiles.goldens("clip_text/io.safetensors"))) {
      TensorInfo ids = st.info("input_ids");
      assertEquals(DType.I64, ids.dtype());
      assertEquals(2, ids.shape().length);
      long[] v = st.longs("input_ids");
      assertEquals(49406, v[0], "every prompt starts with BOS");
      TensorInfo h = st.info("clip_text");
      assertEquals(DType.F32, h.dtype());
      assertEquals(h.numel(), st.floats("clip_text").length);
    }
  }

  @Test
  void roundTripsEveryDtypeWithMetadata() throws Exception {
    Random r = new Random(7);
    float[] f = new float[60];
    for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian() * 100;
    long[] l = {1, -2, Long.MAX_VALUE, 4};
    int[] n = {5, -6, Integer.MIN_VALUE};
    Path p = tmp.resolve("x.safetensors");
    new SafeTensorsWriter().metadata("format", "pt")
        .add("z", f, DType.F32, 3, 4, 5).add("b", f, DType.BF16, 60).add("h", f, DType.F16, 6, 10)
        .addLongs("l", l, 4).addInts("i", n, 3)
        .write(p.toString(), new Configuration());
    try (SafeTensors st = SafeTensors.open(p)) {
      assertEquals(Map.of("format", "pt"), st.metadata());
      assertEquals(List.of("b", "h", "i", "l", "z"), new ArrayList<>(st.names()), "keys sorted as the reference");
      assertArrayEquals(f, st.floats("z"));
      float[] b = st.floats("b");
      float[] h = st.floats("h");
      for (int i = 0; i < f.length; i++) {
        assertEquals(f[i], b[i], Math.abs(f[i]) / 128, "bf16 keeps 8 bits of mantissa");
        assertEquals(f[i], h[i], Math.abs(f[i]) / 1024, "f16 keeps 11 bits");
      }
      assertArrayEquals(l, st.longs("l"));
      assertArrayEquals(new long[] {5, -6, Integer.MIN_VALUE}, st.longs("i"));
    }
  }

  @Test
  void halfConversionsMatchIeeeRounding() {
    // exact values survive
    for (float v : new float[] {0f, -0f, 1f, -2.5f, 65504f, 0x1p-14f, 0x1p-24f, 1025f}) {
      assertEquals(v, HalfFloats.f16ToFloat(HalfFloats.floatToF16(v)), "f16 " + v);
    }
    assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat(HalfFloats.floatToF16(65520f)), "overflow");
    assertEquals(65504f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(65519f)));
    assertEquals(1024f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1024.5f)), "tie at spacing 1 goes to even");
    assertEquals(0f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(0x1p-26f)), "underflow");
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))));
    // ties go to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10
    assertEquals(1f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1f + 0x1p-11f)));
    assertEquals(1f + 0x1p-9f, HalfFloats.f16ToFloat(HalfFloats.floatToF16(1f + 3 * 0x1p-11f)));
    // bf16: 1 + 2^-8 is halfway between 1 and 1 + 2^-7
    assertEquals(1f, HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(1f + 0x1p-8f)));
    assertEquals(1f + 0x1p-6f, HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(1f + 3 * 0x1p-8f)));
    // every f16 bit pattern that is not NaN survives f16 -> f32 -> f16
    for (int bits = 0; bits < 0x10000; bits++) {
      float v = HalfFloats.f16ToFloat((short) bits);
      if (!Float.isNaN(v)) assertEquals((short) bits, HalfFloats.floatToF16(v), "pattern " + bits);
    }
  }

  @Test
  void shardedCheckpointsReadAsOne() {
    Configuration conf = new Configuration();
    List<ShardedSafeTensors.NamedWriter> ts = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      float[] d = new float[100];
      java.util.Arrays.fill(d, i);
      String name = "layer." + i + ".weight";
      ts.add(new ShardedSafeTensors.NamedWriter(name, 400, w -> w.add(name, d, 10, 10)));
    }
    List<String> files = ShardedSafeTensors.write(tmp.toString(), "model", ts, 850, Map.of("format", "pt"), conf);
    assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
        "model-00003-of-00003.safetensors", "model.safetensors.index.json"), files);
    try (TensorSource src = Checkpoints.open(tmp.toString(), conf)) {
      assertEquals(5, src.names().size());
      for (int i = 0; i < 5; i++) assertEquals(i, src.floats("layer." + i + ".weight")[99]);
    }
  }

  @Test
  void corruptFilesAreReportedWithTheirName() throws Exception {
    Path p = tmp.resolve("bad.safetensors");
    Files.write(p, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.open(p));
    assertTrue(e.getMessage().contains("bad.safetensors"), e.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> Checkpoints.open(tmp.toString(), new Configuration()));
    assertTrue(missing.getMessage().contains("no weights found"), missing.getMessage());
  }
}
