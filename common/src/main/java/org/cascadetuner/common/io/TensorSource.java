package org.cascadetuner.common.io;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;

/**
 * A named collection of stored tensors: one safetensors file, or a sharded checkpoint behind its index. Models load
 * their weights from here by the names the checkpoint uses.
 */
public interface TensorSource extends AutoCloseable {

  Set<String> names();

  TensorInfo info(String name);

  /** The tensor's stored bytes, little-endian, positioned at 0. */
  ByteBuffer bytes(String name);

  /** Free-form {@code __metadata__} of the file (or the index's {@code metadata}). */
  Map<String, String> metadata();

  default boolean contains(String name) {
    return names().contains(name);
  }

  /** The tensor as float32, widened from F16/BF16/I32/I64 where stored so. */
  default float[] floats(String name) {
    TensorInfo t = info(name);
    ByteBuffer b = bytes(name);
    int n = Math.toIntExact(t.numel());
    float[] out = new float[n];
    switch (t.dtype()) {
      case F32 -> b.asFloatBuffer().get(out);
      case BF16 -> { for (int i = 0; i < n; i++) out[i] = HalfFloats.bf16ToFloat(b.getShort(2 * i)); }
      case F16 -> { for (int i = 0; i < n; i++) out[i] = HalfFloats.f16ToFloat(b.getShort(2 * i)); }
      case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
      case I64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); }
      case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
    }
    return out;
  }

  /** The tensor as int64 (integer types only). */
  default long[] longs(String name) {
    TensorInfo t = info(name);
    ByteBuffer b = bytes(name);
    int n = Math.toIntExact(t.numel());
    long[] out = new long[n];
    switch (t.dtype()) {
      case I64 -> b.asLongBuffer().get(out);
      case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
      case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; }
      default -> throw new IllegalArgumentException(name + ": stored as " + t.dtype() + ", not an integer type");
    }
    return out;
  }

  @Override
  void close();
}
