package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.Dropout;
import org.cascadetuner.common.nn.layers.LayerNorm;
import org.cascadetuner.common.nn.layers.MultiHeadAttention;
import org.cascadetuner.common.nn.layers.Silu;

/**
 * {@code SDCascadeAttnBlock} (spec §1.3.5): {@code kv = kv_mapper(clip)} (SiLU, Linear c_cond → c); the normalised
 * pixels are the queries, and with self_attn also the first keys/values ahead of kv; {@code x + Dropout(to_out(
 * attention))} (diffusers' dropout placement). Weights {@code attention.to_q/to_k/to_v/to_out.0.*},
 * {@code kv_mapper.1.*}.
 */
public final class AttnBlock implements UNetBlock {
  private final Silu silu = new Silu();
  private final Layer kvMapper;
  private final LayerNorm norm = LayerNorm.plain(StableCascadeUNetConfig.NORM_EPS);
  private final MultiHeadAttention attention;
  private final Dropout dropout;
  private final boolean selfAttn;
  private final long channels;

  public AttnBlock(WeightLoader w, LinearBuilder linears, String prefix, long channels, long condChannels, int heads,
      boolean selfAttn, double dropout) {
    this.channels = channels;
    this.selfAttn = selfAttn;
    this.dropout = new Dropout((float) dropout);
    String a = prefix + "attention.";
    attention = new MultiHeadAttention(linears.linear(w, a + "to_q", channels, channels, true),
        linears.linear(w, a + "to_k", channels, channels, true), linears.linear(w, a + "to_v", channels, channels, true),
        linears.linear(w, a + "to_out.0", channels, channels, true), heads);
    kvMapper = linears.linear(w, prefix + "kv_mapper.1", condChannels, channels, true);
  }

  @Override
  public BlockType type() {
    return BlockType.ATTN;
  }

  @Override
  public Tensor forward(Tensor x, Tensor clip, boolean training, long seed, Tape tape) {
    Backend be = x.backend();
    long b = x.size(0), h = x.size(1), w = x.size(2);
    try (Tensor act = silu.forward(clip, tape); Tensor kv = kvMapper.forward(act, tape);
        Tensor normed = norm.forward(x, tape); Tensor q = be.reshape(normed, b, h * w, channels);
        Tensor context = selfAttn ? be.concat(1, q, kv) : kv.retain();
        Tensor o = attention.forward(q, context, null, tape); Tensor d = dropout.forward(o, training, seed, tape);
        Tensor d4 = be.reshape(d, b, h, w, channels)) {
      return be.add(x, d4);
    }
  }

  @Override
  public Tensor[] backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    long b = dy.size(0), h = dy.size(1), w = dy.size(2), hw = h * w;
    MultiHeadAttention.Grads g;
    try (Tensor dy3 = be.reshape(dy, b, hw, channels); Tensor dO = dropout.backward(dy3, tape)) {
      g = attention.backward(dO, tape);
    }
    Tensor dKv;
    try (Tensor dq = g.dx(); Tensor dContext = g.dContext()) {
      if (selfAttn) {
        try (Tensor dSelf = be.slice(dContext, 1, 0, hw); Tensor dk = be.slice(dContext, 1, hw, dContext.size(1))) {
          be.addInPlace(dq, dSelf);
          dKv = be.contiguous(dk);
        }
      } else {
        dKv = dContext.retain();
      }
      try (Tensor dNormed = be.reshape(dq, b, h, w, channels)) {
        Tensor dx = norm.backward(dNormed, tape);
        be.addInPlace(dx, dy);
        try (dKv; Tensor dAct = kvMapper.backward(dKv, tape)) {
          return new Tensor[] {dx, silu.backward(dAct, tape)};
        }
      }
    }
  }
}
