package org.cascadetuner.common.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Builds a safetensors file. Tensors are added as float32 data and stored in the requested dtype (bf16/f16 with
 * round-to-nearest-even), or as integers. Keys are written sorted, as the reference {@code safetensors} library does.
 */
public final class SafeTensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Entry(String name, DType dtype, long[] shape, ByteBuffer data) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  public SafeTensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  public SafeTensorsWriter add(String name, float[] data, DType dtype, long... shape) {
    checkCount(name, data.length, shape);
    ByteBuffer b = ByteBuffer.allocate(data.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> b.asFloatBuffer().put(data);
      case BF16 -> { for (float f : data) b.putShort(HalfFloats.floatToBf16(f)); }
      case F16 -> { for (float f : data) b.putShort(HalfFloats.floatToF16(f)); }
      default -> throw new IllegalArgumentException(name + ": float data cannot be stored as " + dtype);
    }
    return put(new Entry(name, dtype, shape.clone(), b.rewind()));
  }

  public SafeTensorsWriter add(String name, float[] data, long... shape) {
    return add(name, data, DType.F32, shape);
  }

  public SafeTensorsWriter addLongs(String name, long[] data, long... shape) {
    checkCount(name, data.length, shape);
    ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(data);
    return put(new Entry(name, DType.I64, shape.clone(), b));
  }

  public SafeTensorsWriter addInts(String name, int[] data, long... shape) {
    checkCount(name, data.length, shape);
    ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(data);
    return put(new Entry(name, DType.I32, shape.clone(), b));
  }

  /** Adds already-encoded little-endian bytes (e.g. copied from another file without conversion). */
  public SafeTensorsWriter addRaw(String name, DType dtype, ByteBuffer bytes, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    if (n * dtype.bytes() != bytes.remaining()) {
      throw new IllegalArgumentException(name + ": " + bytes.remaining() + " bytes do not fit " + dtype + " shape "
          + java.util.Arrays.toString(shape));
    }
    return put(new Entry(name, dtype, shape.clone(), bytes.slice().order(ByteOrder.LITTLE_ENDIAN)));
  }

  private SafeTensorsWriter put(Entry e) {
    if (entries.putIfAbsent(e.name, e) != null) throw new IllegalArgumentException("duplicate tensor name " + e.name);
    return this;
  }

  private static void checkCount(String name, long count, long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    if (n != count) {
      throw new IllegalArgumentException(name + ": " + count + " values do not fit shape "
          + java.util.Arrays.toString(shape));
    }
  }

  public long dataBytes() {
    return entries.values().stream().mapToLong(e -> e.data.remaining()).sum();
  }

  public void write(OutputStream out) throws IOException {
    List<Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort(Comparator.comparing(Entry::name));
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      metadata.forEach(m::put);
    }
    long offset = 0;
    for (Entry e : sorted) {
      ObjectNode t = header.putObject(e.name);
      t.put("dtype", e.dtype.name());
      ArrayNode s = t.putArray("shape");
      for (long d : e.shape) s.add(d);
      ArrayNode o = t.putArray("data_offsets");
      o.add(offset);
      offset += e.data.remaining();
      o.add(offset);
    }
    byte[] h = JSON.writeValueAsBytes(header);
    int padded = (h.length + 7) & ~7; // keep the data section 8-byte aligned, padding with spaces as the format allows
    byte[] hp = new byte[padded];
    System.arraycopy(h, 0, hp, 0, h.length);
    for (int i = h.length; i < padded; i++) hp[i] = ' ';
    OutputStream o = new BufferedOutputStream(out, 1 << 20);
    o.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
    o.write(hp);
    byte[] chunk = new byte[1 << 20];
    for (Entry e : sorted) {
      ByteBuffer d = e.data.duplicate();
      while (d.hasRemaining()) {
        int n = Math.min(chunk.length, d.remaining());
        d.get(chunk, 0, n);
        o.write(chunk, 0, n);
      }
    }
    o.flush();
  }

  /** Writes to a local path or any Hadoop URI. */
  public void write(String uri, Configuration conf) {
    try (OutputStream out = Storage.create(uri, conf)) {
      write(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri + ": " + e.getMessage(), e);
    }
  }

  public byte[] toBytes() {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    try {
      write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  static String headerText(byte[] file) {
    long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return new String(file, 8, (int) n, StandardCharsets.UTF_8);
  }
}
