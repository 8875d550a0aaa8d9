package org.cascadetuner.common.nn;

/**
 * Geometry of a 2-D convolution in PyTorch's terms: NCHW activations, weights [out, in/groups, kh, kw], symmetric zero
 * padding. {@code groups == in == out} is a depthwise convolution.
 */
public record Conv2dSpec(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {

  public Conv2dSpec {
    if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || groups < 1 || padH < 0 || padW < 0)
      throw new IllegalArgumentException("invalid convolution geometry " + this);
  }

  public static Conv2dSpec of(int stride, int padding) {
    return new Conv2dSpec(stride, stride, padding, padding, 1, 1, 1);
  }

  public static Conv2dSpec of(int stride, int padding, int groups) {
    return new Conv2dSpec(stride, stride, padding, padding, 1, 1, groups);
  }

  public long outH(long inH, long kh) {
    return (inH + 2L * padH - dilationH * (kh - 1) - 1) / strideH + 1;
  }

  public long outW(long inW, long kw) {
    return (inW + 2L * padW - dilationW * (kw - 1) - 1) / strideW + 1;
  }
}
