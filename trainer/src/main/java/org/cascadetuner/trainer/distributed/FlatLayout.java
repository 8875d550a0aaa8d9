package org.cascadetuner.trainer.distributed;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order and sizes of a set of named tensors, so they can travel as a few flat float chunks (each well under
 * Java's 2 GB array and serialization limits) and be rebuilt on the other side.
 */
public record FlatLayout(List<String> names, long[] sizes, int chunkFloats) implements Serializable {

  /** 64 M floats = 256 MB per chunk: big enough to keep the count low, far from the 2 GB limit. */
  public static final int DEFAULT_CHUNK_FLOATS = 64 << 20;

  public static FlatLayout of(Map<String, float[]> tensors, int chunkFloats) {
    List<String> names = new ArrayList<>(tensors.keySet());
    long[] sizes = new long[names.size()];
    for (int i = 0; i < sizes.length; i++) sizes[i] = tensors.get(names.get(i)).length;
    return new FlatLayout(List.copyOf(names), sizes, chunkFloats);
  }

  public long total() {
    long t = 0;
    for (long s : sizes) t += s;
    return t;
  }

  public int chunks() {
    return (int) Math.max(1, (total() + chunkFloats - 1) / chunkFloats);
  }

  int chunkLength(int c) {
    return (int) Math.min(chunkFloats, total() - (long) c * chunkFloats);
  }

  /** Copies the tensors, in layout order, into chunks. */
  public float[][] flatten(Map<String, float[]> tensors) {
    float[][] out = new float[chunks()][];
    for (int c = 0; c < out.length; c++) out[c] = new float[Math.max(0, chunkLength(c))];
    long pos = 0;
    for (int i = 0; i < names.size(); i++) {
      float[] t = tensors.get(names.get(i));
      if (t == null || t.length != sizes[i]) {
        throw new IllegalArgumentException("tensor " + names.get(i) + " is missing or has " + (t == null ? 0 : t.length)
            + " values; the layout expects " + sizes[i]);
      }
      copy(t, out, pos, true);
      pos += t.length;
    }
    return out;
  }

  /** Rebuilds the named tensors from chunks. */
  public Map<String, float[]> unflatten(float[][] chunks) {
    Map<String, float[]> out = new LinkedHashMap<>();
    long pos = 0;
    for (int i = 0; i < names.size(); i++) {
      float[] t = new float[Math.toIntExact(sizes[i])];
      copy(t, chunks, pos, false);
      out.put(names.get(i), t);
      pos += t.length;
    }
    return out;
  }

  private void copy(float[] t, float[][] chunks, long pos, boolean toChunks) {
    int done = 0;
    while (done < t.length) {
      long p = pos + done;
      int c = (int) (p / chunkFloats);
      int off = (int) (p % chunkFloats);
      int n = Math.min(t.length - done, chunks[c].length - off);
      if (toChunks) System.arraycopy(t, done, chunks[c], off, n);
      else System.arraycopy(chunks[c], off, t, done, n);
      done += n;
    }
  }
}
