package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * Multi-head softmax attention with its four projections: queries from {@code x} [B, Tq, C], keys and values from
 * {@code context} [B, Tk, C] (pass the same tensor for self-attention), scale 1/sqrt(head_dim), optional additive
 * mask broadcastable to [B, H, Tq, Tk]. Heads are consecutive slices of C (PyTorch's and diffusers' layout).
 */
public final class MultiHeadAttention {
  private final Linear q, k, v, out;
  private final int heads;

  public MultiHeadAttention(Linear q, Linear k, Linear v, Linear out, int heads) {
    if (q.out() % heads != 0)
      throw new IllegalArgumentException("attention width " + q.out() + " does not split into " + heads + " heads");
    this.q = q;
    this.k = k;
    this.v = v;
    this.out = out;
    this.heads = heads;
  }

  public int heads() {
    return heads;
  }

  public Linear q() {
    return q;
  }

  public Linear k() {
    return k;
  }

  public Linear v() {
    return v;
  }

  public Linear out() {
    return out;
  }

  /** Gradients with respect to both inputs; for self-attention add them. */
  public record Grads(Tensor dx, Tensor dContext) {}

  record Core(Tensor q, Tensor k, Tensor v, Tensor probs, float scale) implements Saved {
    @Override
    public long bytes() {
      return Saved.bytesOf(q, k, v, probs);
    }

    @Override
    public void close() {
      Saved.closeAll(q, k, v, probs);
    }
  }

  public Tensor forward(Tensor x, Tensor context, Tensor mask, Tape tape) {
    Backend be = x.backend();
    long b = x.size(0), tq = x.size(1), tk = context.size(1), c = q.out(), d = c / heads;
    float scale = (float) (1.0 / Math.sqrt(d));
    try (Tensor qp = q.forward(x, tape); Tensor kp = k.forward(context, tape); Tensor vp = v.forward(context, tape);
        Tensor qh = heads(be, qp, b, tq, d); Tensor kh = heads(be, kp, b, tk, d); Tensor vh = heads(be, vp, b, tk, d)) {
      Backend.AttentionResult r = be.attention(qh, kh, vh, mask, scale);
      Tensor merged;
      try (Tensor o = r.out()) {
        merged = merge(be, o);
      }
      if (tape.isRecording()) tape.push(new Core(qh.retain(), kh.retain(), vh.retain(), r.probs(), scale));
      else r.probs().close();
      try (merged) {
        return out.forward(merged, tape);
      }
    }
  }

  /** [B, T, C] → [B, H, T, D], contiguous. */
  private Tensor heads(Backend be, Tensor t, long b, long len, long d) {
    try (Tensor r = be.reshape(t, b, len, heads, d); Tensor p = be.permute(r, 0, 2, 1, 3)) {
      return be.contiguous(p);
    }
  }

  /** [B, H, T, D] → [B, T, C], contiguous. */
  private static Tensor merge(Backend be, Tensor t) {
    long b = t.size(0), h = t.size(1), len = t.size(2), d = t.size(3);
    try (Tensor p = be.permute(t, 0, 2, 1, 3); Tensor c = be.contiguous(p)) {
      return be.reshape(c, b, len, h * d);
    }
  }

  public Grads backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Tensor dMerged = out.backward(dy, tape); Core s = tape.pop(Core.class)) {
      long b = dy.size(0), tq = dy.size(1), d = s.q().size(3);
      Backend.AttentionGrads g;
      try (Tensor dOut = heads(be, dMerged, b, tq, d)) {
        g = be.attentionBackward(dOut, s.q(), s.k(), s.v(), s.probs(), s.scale());
      }
      try (Tensor dq = merge(be, g.dq()); Tensor dk = merge(be, g.dk()); Tensor dv = merge(be, g.dv())) {
        Saved.closeAll(g.dq(), g.dk(), g.dv());
        Tensor dCtxV = v.backward(dv, tape);
        Tensor dCtxK = k.backward(dk, tape);
        try (dCtxV; dCtxK) {
          Tensor dContext = be.add(dCtxK, dCtxV);
          return new Grads(q.backward(dq, tape), dContext);
        }
      }
    }
  }
}
