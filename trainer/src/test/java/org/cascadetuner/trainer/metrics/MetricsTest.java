package org.cascadetuner.trainer.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
  @TempDir Path tmp;

  /** A reader of TFRecord + Event written independently from the writer, as TensorBoard's loader reads them. */
  record Scalar(long step, double wallTime, String tag, float value) {}

  static List<Object> readEvents(Path file) throws Exception {
    List<Object> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(in)) {
      while (true) {
        byte[] len = new byte[8];
        try {
          d.readFully(len);
        } catch (EOFException end) {
          break;
        }
        int lenCrc = Integer.reverseBytes(d.readInt());
        assertEquals(TensorBoardEvents.maskedCrc(len), lenCrc, "length CRC");
        byte[] data = new byte[(int) ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong()];
        d.readFully(data);
        assertEquals(TensorBoardEvents.maskedCrc(data), Integer.reverseBytes(d.readInt()), "data CRC");
        out.addAll(decodeEvent(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN)));
      }
    }
    return out;
  }

  static long varint(ByteBuffer b) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b.get() & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if (x < 0x80) return v;
    }
  }

  static List<Object> decodeEvent(ByteBuffer b) {
    double wall = 0;
    long step = 0;
    List<Object> out = new ArrayList<>();
    List<ByteBuffer> summaries = new ArrayList<>();
    while (b.hasRemaining()) {
      long key = varint(b);
      int field = (int) (key >>> 3);
      switch (field) {
        case 1 -> wall = b.getDouble();
        case 2 -> step = varint(b);
        case 3 -> {
          byte[] s = new byte[(int) varint(b)];
          b.get(s);
          out.add(new String(s, StandardCharsets.UTF_8));
        }
        case 5 -> {
          int n = (int) varint(b);
          summaries.add(b.slice(b.position(), n).order(ByteOrder.LITTLE_ENDIAN));
          b.position(b.position() + n);
        }
        default -> throw new AssertionError("unexpected Event field " + field);
      }
    }
    for (ByteBuffer s : summaries) {
      while (s.hasRemaining()) {
        assertEquals((1 << 3) | 2, varint(s), "Summary.value");
        int vlen = (int) varint(s);
        ByteBuffer v = s.slice(s.position(), vlen).order(ByteOrder.LITTLE_ENDIAN);
        s.position(s.position() + v.limit());
        String tag = null;
        float value = Float.NaN;
        while (v.hasRemaining()) {
          long key = varint(v);
          if (key == ((1 << 3) | 2)) {
            byte[] t = new byte[(int) varint(v)];
            v.get(t);
            tag = new String(t, StandardCharsets.UTF_8);
          } else if (key == ((2 << 3) | 5)) {
            value = v.getFloat();
          } else {
            throw new AssertionError("unexpected Value field " + key);
          }
        }
        out.add(new Scalar(step, wall, tag, value));
      }
    }
    return out;
  }

  @Test
  void eventFilesHoldEveryScalarWithValidChecksums() throws Exception {
    Path file;
    try (TensorBoardEvents tb = new TensorBoardEvents(tmp.resolve("tb"))) {
      for (long step = 1; step <= 3; step++) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("train/loss", 1.0 / step);
        m.put("train/lr", 1e-4 * step);
        tb.scalars(step, 1700000000.5 + step, m);
      }
      file = tb.file();
    }
    assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."));
    List<Object> events = readEvents(file);
    assertEquals("brain.Event:2", events.get(0));
    assertEquals(new Scalar(2, 1700000002.5, "train/loss", 0.5f), events.get(3));
    assertEquals(new Scalar(3, 1700000003.5, "train/lr", (float) 3e-4), events.get(6));
    assertEquals(7, events.size());
  }

  @Test
  void csvAppendsAcrossReopensAndThePngIsAPicture() throws Exception {
    Path csv = tmp.resolve("run/metrics.csv");
    List<StepMetrics> steps = new ArrayList<>();
    for (int i = 1; i <= 50; i++) steps.add(new StepMetrics(i, 0, 1.0 / i, 1e-4, 0.5, 12.5, 1000L * i));
    try (MetricsCsv c = new MetricsCsv(csv)) {
      steps.subList(0, 20).forEach(c::append);
    }
    try (MetricsCsv c = new MetricsCsv(csv)) { // a resumed run
      steps.subList(20, 50).forEach(c::append);
    }
    List<String> lines = Files.readAllLines(csv);
    assertEquals(51, lines.size());
    assertEquals(MetricsCsv.HEADER, lines.get(0));
    assertEquals("2,0,0.50000000,0.00010000000,0.50000000,12.5000,2000", lines.get(2));
    Path png = tmp.resolve("run/loss.png");
    LossCurve.write(steps, png, "loss");
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(900, img.getWidth());
    assertEquals(500, img.getHeight());
  }
}
