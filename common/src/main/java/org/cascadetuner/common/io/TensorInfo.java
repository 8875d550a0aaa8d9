package org.cascadetuner.common.io;

import java.util.Arrays;

/** One tensor's header entry: name, element type, shape, and its byte range within the data section. */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

  public long numel() {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }

  public long byteLength() {
    return end - begin;
  }

  public int[] intShape() {
    return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
        && begin == t.begin && end == t.end;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape);
  }
}
