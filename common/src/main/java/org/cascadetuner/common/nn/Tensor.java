package org.cascadetuner.common.nn;

import java.util.Arrays;

/**
 * A float32 n-dimensional array owned by one {@link Backend}: the only tensor type layers and models see.
 *
 * <p>Ownership: whoever creates a tensor (an op's caller) closes it. Views ({@code reshape}, {@code permute},
 * {@code slice}) and {@link #retain()} give further handles on the same storage; the storage is released when every
 * handle is closed, so handles may be closed in any order. Closing a handle twice is harmless.
 */
public interface Tensor extends AutoCloseable {

  /** The shape (a copy). */
  long[] shape();

  Backend backend();

  /** Another handle on the same storage; the storage lives until every handle is closed. */
  Tensor retain();

  boolean isClosed();

  /** Releases this handle (and the storage, when it was the last one). */
  @Override
  void close();

  default int rank() {
    return shape().length;
  }

  /** Size of one axis; negative axes count from the end. */
  default long size(int axis) {
    long[] s = shape();
    return s[axis < 0 ? s.length + axis : axis];
  }

  default long numel() {
    long n = 1;
    for (long d : shape()) n *= d;
    return n;
  }

  /** Compute type; always float32 (storage formats such as bf16 are converted at load and save). */
  default String dtype() {
    return "float32";
  }

  /** Row-major host copy. */
  default float[] toFloats() {
    return backend().toFloats(this);
  }

  /** The single value of a one-element tensor. */
  default float item() {
    if (numel() != 1) throw new IllegalStateException("item() needs one element, shape is " + Arrays.toString(shape()));
    return toFloats()[0];
  }

  default long bytes() {
    return numel() * 4L;
  }

  /** Normalises a possibly negative axis. */
  static int axis(int axis, int rank) {
    int a = axis < 0 ? rank + axis : axis;
    if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
    return a;
  }

  static String describe(long[] shape) {
    return Arrays.toString(shape);
  }
}
