package org.cascadetuner.common.models.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.cascadetuner.common.io.DType;
import org.cascadetuner.common.io.TensorInfo;
import org.cascadetuner.common.io.TensorSource;

/**
 * Seeded random weights for a table of names and shapes (a real-size model without its 80 MB file): F32 values of
 * variance 1/fan-in for weights, near-identity BatchNorm statistics, I64 for {@code num_batches_tracked}. Values are
 * made on request from the name's hash, so nothing is held in memory.
 */
public final class SyntheticWeights implements TensorSource {
  private final Map<String, long[]> shapes;
  private final long seed;

  public SyntheticWeights(Map<String, long[]> shapes, long seed) {
    this.shapes = new LinkedHashMap<>(shapes);
    this.seed = seed;
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(shapes.keySet());
  }

  @Override
  public TensorInfo info(String name) {
    long[] s = shape(name);
    DType t = name.endsWith("num_batches_tracked") ? DType.I64 : DType.F32;
    long n = 1;
    for (long d : s) n *= d;
    return new TensorInfo(name, t, s.clone(), 0, n * t.bytes());
  }

  @Override
  public ByteBuffer bytes(String name) {
    TensorInfo info = info(name);
    ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(info.byteLength())).order(ByteOrder.LITTLE_ENDIAN);
    if (info.dtype() == DType.I64) return b.putLong(0, 1).position(0);
    Random r = new Random(seed * 31 + name.hashCode());
    long[] s = info.shape();
    long fanIn = 1;
    for (int i = 1; i < s.length; i++) fanIn *= s[i];
    int n = Math.toIntExact(info.numel());
    for (int i = 0; i < n; i++) {
      float v;
      if (name.endsWith("running_var")) v = 0.5f + r.nextFloat();
      else if (name.endsWith("running_mean")) v = 0.1f * (float) r.nextGaussian();
      else if (s.length == 1 && name.endsWith("weight")) v = 1f + 0.1f * (float) r.nextGaussian();
      else if (s.length == 1) v = 0.1f * (float) r.nextGaussian();
      else v = (float) (r.nextGaussian() / Math.sqrt(fanIn));
      b.putFloat(4 * i, v);
    }
    return b.position(0);
  }

  private long[] shape(String name) {
    long[] s = shapes.get(name);
    if (s == null) throw new IllegalArgumentException("no tensor '" + name + "'");
    return s;
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of();
  }

  @Override
  public void close() {}
}
