package org.cascadetuner.common.nn;

/**
 * Additive attention masks for {@link Backend#attention}: 0 where a query may attend to a key, the float32 minimum
 * where it may not (as Hugging Face builds them: a fully excluded row then softmaxes to uniform weights instead of
 * NaN). Small host-side tables, made once per batch.
 */
public final class AttentionMasks {
  private AttentionMasks() {}

  public static final float EXCLUDED = -Float.MAX_VALUE;

  /** From a boolean table of {@code shape} (broadcastable to [B, H, Tq, Tk]): true = attend. */
  public static Tensor fromBoolean(Backend be, boolean[] keep, long... shape) {
    float[] m = new float[keep.length];
    for (int i = 0; i < keep.length; i++) m[i] = keep[i] ? 0f : EXCLUDED;
    return be.fromFloats(m, shape);
  }

  /**
   * Causal mask combined with key padding, [B, 1, T, T]: query i sees key j iff j ≤ i and {@code keyPadding[b·T + j]}
   * is non-zero ({@code keyPadding} null: causal only). CLIP's text encoder mask.
   */
  public static Tensor causal(Backend be, long[] keyPadding, int batch, int t) {
    boolean[] keep = new boolean[batch * t * t];
    for (int b = 0; b < batch; b++)
      for (int i = 0; i < t; i++)
        for (int j = 0; j <= i; j++) keep[(b * t + i) * t + j] = keyPadding == null || keyPadding[b * t + j] != 0;
    return fromBoolean(be, keep, batch, 1, t, t);
  }

  /** Key padding only, [B, 1, 1, T]: every query sees the keys whose {@code keyPadding} entry is non-zero. */
  public static Tensor keyPadding(Backend be, long[] keyPadding, int batch, int t) {
    boolean[] keep = new boolean[batch * t];
    for (int i = 0; i < keep.length; i++) keep[i] = keyPadding[i] != 0;
    return fromBoolean(be, keep, batch, 1, 1, t);
  }
}
