package org.cascadetuner.common.nn.testing;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Checkpoint;
import org.cascadetuner.common.nn.Conv2dSpec;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.Conv2d;
import org.cascadetuner.common.nn.layers.Gelu;
import org.cascadetuner.common.nn.layers.GlobalResponseNorm;
import org.cascadetuner.common.nn.layers.LayerNorm2d;
import org.cascadetuner.common.nn.layers.Linear;
import org.cascadetuner.common.nn.layers.MultiHeadAttention;

/**
 * A block shaped like Stage C's ResBlock followed by a cross-attention (depthwise conv, LayerNorm2d, channelwise MLP
 * with GELU and GRN, residual; then attention of the pixels over a context), written the way a model block is meant
 * to be written on the seam: forward pushes, backward pops in reverse. Two inputs (x, context), two input gradients.
 */
public final class TinyResBlock implements Checkpoint.Block {
  private final Conv2d depthwise;
  private final LayerNorm2d norm = LayerNorm2d.plain(1e-6f);
  private final Linear fc1, fc2;
  private final Gelu gelu = new Gelu();
  private final GlobalResponseNorm grn;
  private final MultiHeadAttention attn;

  public TinyResBlock(ParameterStore s, java.util.Random rng, String p, int c, int ctx) {
    Backend be = s.backend();
    depthwise = new Conv2d(s.add(p + "dw.w", GradCheck.randn(be, rng, 0.3, c, 1, 3, 3)),
        s.add(p + "dw.b", GradCheck.randn(be, rng, 0.1, c)), Conv2dSpec.of(1, 1, c));
    fc1 = new Linear(s.add(p + "fc1.w", GradCheck.randn(be, rng, 0.3, 4L * c, c)), s.add(p + "fc1.b", be.zeros(4L * c)));
    grn = new GlobalResponseNorm(s.add(p + "grn.g", GradCheck.randn(be, rng, 0.1, 1, 1, 1, 4L * c)),
        s.add(p + "grn.b", GradCheck.randn(be, rng, 0.1, 1, 1, 1, 4L * c)));
    fc2 = new Linear(s.add(p + "fc2.w", GradCheck.randn(be, rng, 0.2, c, 4L * c)), s.add(p + "fc2.b", be.zeros(c)));
    attn = new MultiHeadAttention(new Linear(s.add(p + "q", GradCheck.randn(be, rng, 0.3, c, c)), null),
        new Linear(s.add(p + "k", GradCheck.randn(be, rng, 0.3, c, ctx)), null),
        new Linear(s.add(p + "v", GradCheck.randn(be, rng, 0.3, c, ctx)), null),
        new Linear(s.add(p + "o", GradCheck.randn(be, rng, 0.3, c, c)), null), 2);
  }

  @Override
  public Tensor forward(Tape tape, Tensor... in) {
    Tensor x = in[0], ctx = in[1];
    Backend be = x.backend();
    long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    Tensor res;
    try (Tensor d = depthwise.forward(x, tape); Tensor n = norm.forward(d, tape); Tensor nhwc0 = be.permute(n, 0, 2, 3, 1);
        Tensor nhwc = be.contiguous(nhwc0); Tensor f1 = fc1.forward(nhwc, tape); Tensor g = gelu.forward(f1, tape);
        Tensor r = grn.forward(g, tape); Tensor f2 = fc2.forward(r, tape); Tensor back = be.permute(f2, 0, 3, 1, 2)) {
      res = be.add(back, x);
    }
    try (res; Tensor p0 = be.permute(res, 0, 2, 3, 1); Tensor pc = be.contiguous(p0); Tensor seq = be.reshape(pc, b, h * w, c);
        Tensor a = attn.forward(seq, ctx, null, tape); Tensor a4 = be.reshape(a, b, h, w, c);
        Tensor an = be.permute(a4, 0, 3, 1, 2)) {
      return be.add(res, an);
    }
  }

  @Override
  public Tensor[] backward(Tape tape, Tensor dy) {
    Backend be = dy.backend();
    long b = dy.size(0), c = dy.size(1), h = dy.size(2), w = dy.size(3);
    Tensor dRes;
    Tensor dCtx;
    try (Tensor p0 = be.permute(dy, 0, 2, 3, 1); Tensor pc = be.contiguous(p0); Tensor seq = be.reshape(pc, b, h * w, c)) {
      MultiHeadAttention.Grads g = attn.backward(seq, tape);
      dCtx = g.dContext();
      try (Tensor dx = g.dx(); Tensor d4 = be.reshape(dx, b, h, w, c); Tensor dn = be.permute(d4, 0, 3, 1, 2)) {
        dRes = be.add(dy, dn);
      }
    }
    try (dRes; Tensor p0 = be.permute(dRes, 0, 2, 3, 1); Tensor pc = be.contiguous(p0); Tensor d2 = fc2.backward(pc, tape);
        Tensor dg = grn.backward(d2, tape); Tensor df = gelu.backward(dg, tape); Tensor dn0 = fc1.backward(df, tape);
        Tensor dn = be.permute(dn0, 0, 3, 1, 2); Tensor dnc = be.contiguous(dn); Tensor dd = norm.backward(dnc, tape);
        Tensor dx = depthwise.backward(dd, tape)) {
      return new Tensor[] {be.add(dx, dRes), dCtx};
    }
  }
}
