package org.cascadetuner.trainer.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Scalar summaries in TensorBoard's event-file format, written without TensorFlow: a TFRecord stream (length,
 * masked CRC-32C of the length, payload, masked CRC-32C of the payload) of {@code tensorflow.Event} protocol buffers
 * encoded by hand (only wall_time, step, file_version and a Summary of simple values are needed). The file is
 * flushed after every step so a live TensorBoard sees progress.
 */
public final class TensorBoardEvents implements AutoCloseable {
  private final Path file;
  private final OutputStream out;

  public TensorBoardEvents(Path dir) {
    try {
      Files.createDirectories(dir);
      String host = java.net.InetAddress.getLocalHost().getHostName();
      this.file = dir.resolve("events.out.tfevents." + (System.currentTimeMillis() / 1000) + "." + host);
      this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      writeRecord(event(System.currentTimeMillis() / 1000.0, 0, fileVersion()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create TensorBoard event file in " + dir, e);
    }
  }

  public Path file() {
    return file;
  }

  /** Writes one Event holding the given scalars (tag → value) at {@code step}. */
  public void scalars(long step, double wallTimeSeconds, java.util.Map<String, Double> values) {
    ByteArrayOutputStream summary = new ByteArrayOutputStream();
    values.forEach((tag, v) -> {
      ByteArrayOutputStream value = new ByteArrayOutputStream();
      field(value, 1, 2, tag.getBytes(StandardCharsets.UTF_8)); // Value.tag
      tag32(value, 2, 5); // Value.simple_value (float, fixed32)
      value.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v.floatValue()).array());
      field(summary, 1, 2, value.toByteArray()); // Summary.value
    });
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    field(body, 5, 2, summary.toByteArray()); // Event.summary
    try {
      writeRecord(event(wallTimeSeconds, step, body.toByteArray()));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static byte[] fileVersion() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    field(b, 3, 2, "brain.Event:2".getBytes(StandardCharsets.UTF_8)); // Event.file_version
    return b.toByteArray();
  }

  private static byte[] event(double wallTime, long step, byte[] rest) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    tag32(b, 1, 1); // Event.wall_time (double, fixed64)
    b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(wallTime).array());
    tag32(b, 2, 0); // Event.step (int64, varint)
    varint(b, step);
    b.writeBytes(rest);
    return b.toByteArray();
  }

  private void writeRecord(byte[] data) throws IOException {
    byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
    out.write(len);
    out.write(le32(maskedCrc(len)));
    out.write(data);
    out.write(le32(maskedCrc(data)));
  }

  static int maskedCrc(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data);
    int crc = (int) c.getValue();
    return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
  }

  private static byte[] le32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  private static void tag32(ByteArrayOutputStream b, int field, int wireType) {
    varint(b, ((long) field << 3) | wireType);
  }

  private static void field(ByteArrayOutputStream b, int field, int wireType, byte[] payload) {
    tag32(b, field, wireType);
    varint(b, payload.length);
    b.writeBytes(payload);
  }

  private static void varint(ByteArrayOutputStream b, long v) {
    while ((v & ~0x7FL) != 0) {
      b.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    b.write((int) v);
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
