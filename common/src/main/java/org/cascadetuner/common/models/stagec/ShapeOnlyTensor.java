package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/** A tensor that is only a shape: the values of a parameter plan, counted without allocating (real sizes). */
final class ShapeOnlyTensor implements Tensor {
  private final long[] shape;

  ShapeOnlyTensor(long[] shape) {
    this.shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public Backend backend() {
    throw new UnsupportedOperationException("a parameter plan holds shapes only, no values");
  }

  @Override
  public Tensor retain() {
    return this;
  }

  @Override
  public boolean isClosed() {
    return false;
  }

  @Override
  public void close() {}
}
