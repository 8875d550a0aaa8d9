package org.cascadetuner.common.models.stagec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cascadetuner.common.io.DType;
import org.cascadetuner.common.io.TensorInfo;
import org.cascadetuner.common.io.TensorSource;

/**
 * Freshly initialised weights for a parameter plan ({@link StableCascadeUNet#parameterShapes}), as PyTorch's module
 * constructors make them (what diffusers' StableCascadeUNet starts from): every Linear/Conv weight and its bias
 * U(−1/√fan_in, 1/√fan_in) (kaiming-uniform with a = √5), GRN's γ and β zeros. Values are generated when a tensor is
 * read, seeded per name, so real sizes need no checkpoint and no second copy.
 */
public final class TorchDefaultInit implements TensorSource {
  private final Map<String, long[]> shapes;
  private final long seed;

  public TorchDefaultInit(Map<String, long[]> shapes, long seed) {
    this.shapes = shapes;
    this.seed = seed;
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(shapes.keySet());
  }

  @Override
  public TensorInfo info(String name) {
    long[] s = shape(name);
    long n = 1;
    for (long d : s) n *= d;
    return new TensorInfo(name, DType.F32, s, 0, 4 * n);
  }

  private long[] shape(String name) {
    long[] s = shapes.get(name);
    if (s == null) throw new IllegalArgumentException("the parameter plan has no tensor '" + name + "'");
    return s;
  }

  /** fan_in of the layer a tensor belongs to (its weight's elements per output), or 0 for a zero-initialised one. */
  private long fanIn(String name) {
    if (name.endsWith(".gamma") || name.endsWith(".beta")) return 0;
    String weight = name.endsWith(".bias") ? name.substring(0, name.length() - 5) + ".weight" : name;
    long[] w = shape(weight);
    long fan = 1;
    for (int i = 1; i < w.length; i++) fan *= w[i];
    return fan;
  }

  @Override
  public float[] floats(String name) {
    float[] v = new float[Math.toIntExact(info(name).numel())];
    long fan = fanIn(name);
    if (fan == 0) return v;
    double bound = 1.0 / Math.sqrt(fan);
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    for (int i = 0; i < v.length; i++) v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
    return v;
  }

  @Override
  public ByteBuffer bytes(String name) {
    float[] v = floats(name);
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b;
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of("init", "torch default (kaiming-uniform a=sqrt(5)), seed " + seed);
  }

  @Override
  public void close() {}
}
