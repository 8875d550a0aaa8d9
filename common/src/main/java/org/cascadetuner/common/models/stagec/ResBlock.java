package org.cascadetuner.common.models.stagec;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.Dropout;
import org.cascadetuner.common.nn.layers.Gelu;
import org.cascadetuner.common.nn.layers.GlobalResponseNorm;
import org.cascadetuner.common.nn.layers.LayerNorm;

/**
 * {@code SDCascadeResBlock} (spec §1.3.3), channels-last throughout so the channelwise MLP needs no transposes:
 * {@code x + channelwise(cat(LN(depthwise(x)), skip))} with channelwise = Linear(c + c_skip → 4c), GELU, GRN,
 * Dropout, Linear(4c → c). Weights {@code depthwise.*}, {@code channelwise.0.*}, {@code channelwise.2.gamma/beta},
 * {@code channelwise.4.*}.
 */
public final class ResBlock implements UNetBlock {
  private final DepthwiseConv depthwise;
  private final LayerNorm norm = LayerNorm.plain(StableCascadeUNetConfig.NORM_EPS);
  private final Layer expand;
  private final Gelu gelu = new Gelu();
  private final GlobalResponseNorm grn;
  private final Dropout dropout;
  private final Layer project;
  private final long channels;
  private final long skipChannels;

  public ResBlock(WeightLoader w, LinearBuilder linears, String prefix, long channels, long skipChannels, int kernel,
      double dropout) {
    this.channels = channels;
    this.skipChannels = skipChannels;
    long hidden = 4 * channels;
    depthwise = DepthwiseConv.load(w, prefix + "depthwise", channels, kernel);
    expand = linears.linear(w, prefix + "channelwise.0", channels + skipChannels, hidden, true);
    grn = new GlobalResponseNorm(w.load(prefix + "channelwise.2.gamma", 1, 1, 1, hidden),
        w.load(prefix + "channelwise.2.beta", 1, 1, 1, hidden));
    this.dropout = new Dropout((float) dropout);
    project = linears.linear(w, prefix + "channelwise.4", hidden, channels, true);
  }

  @Override
  public BlockType type() {
    return BlockType.RES;
  }

  /** Channels of the skip this block concatenates (0: none). */
  public long skipChannels() {
    return skipChannels;
  }

  @Override
  public Tensor forward(Tensor x, Tensor skip, boolean training, long seed, Tape tape) {
    if ((skip != null) != (skipChannels > 0))
      throw new IllegalArgumentException("ResBlock built for " + skipChannels + " skip channels got "
          + (skip == null ? "no skip" : "a skip of " + skip.size(-1)));
    Backend be = x.backend();
    try (Tensor conv = depthwise.forward(x, tape); Tensor normed = norm.forward(conv, tape);
        Tensor in = skip == null ? normed.retain() : be.concat(3, normed, skip);
        Tensor h = expand.forward(in, tape); Tensor act = gelu.forward(h, tape); Tensor g = grn.forward(act, tape);
        Tensor d = dropout.forward(g, training, seed, tape); Tensor y = project.forward(d, tape)) {
      be.addInPlace(y, x);
      return y.retain();
    }
  }

  @Override
  public Tensor[] backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    Tensor dIn;
    try (Tensor dd = project.backward(dy, tape); Tensor dg = dropout.backward(dd, tape);
        Tensor dAct = grn.backward(dg, tape); Tensor dh = gelu.backward(dAct, tape)) {
      dIn = expand.backward(dh, tape);
    }
    Tensor dNormed, dSkip = null;
    try (dIn) {
      if (skipChannels == 0) {
        dNormed = dIn.retain();
      } else {
        try (Tensor a = be.slice(dIn, 3, 0, channels); Tensor b = be.slice(dIn, 3, channels, channels + skipChannels)) {
          dNormed = be.contiguous(a);
          dSkip = be.contiguous(b);
        }
      }
    }
    try (dNormed; Tensor dConv = norm.backward(dNormed, tape)) {
      Tensor dx = depthwise.backward(dConv, tape);
      be.addInPlace(dx, dy);
      return new Tensor[] {dx, dSkip};
    }
  }
}
