package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * ConvNeXt-V2 global response normalisation on NHWC {@code y} [B, H, W, C] (Stage C ResBlock, spec §1.3.3):
 * {@code G = ‖y‖₂ over (H, W)}, {@code N = G / (mean_C(G) + 1e-6)}, {@code out = γ·(y·N) + β + y}; γ, β [1, 1, 1, C].
 */
public final class GlobalResponseNorm implements Layer {
  static final float EPS = 1e-6f;
  private final Parameter gamma;
  private final Parameter beta;

  public GlobalResponseNorm(Parameter gamma, Parameter beta) {
    this.gamma = gamma;
    this.beta = beta;
  }

  public static GlobalResponseNorm load(ParameterStore store, String prefix, long channels) {
    return new GlobalResponseNorm(store.load(prefix + ".gamma", 1, 1, 1, channels),
        store.load(prefix + ".beta", 1, 1, 1, channels));
  }

  /** y, G [B,1,1,C] and the mean of G plus eps [B,1,1,1]. */
  record Stats(Tensor y, Tensor g, Tensor denom) implements Saved {
    @Override
    public long bytes() {
      return Saved.bytesOf(y, g, denom);
    }

    @Override
    public void close() {
      Saved.closeAll(y, g, denom);
    }
  }

  @Override
  public Tensor forward(Tensor y, Tape tape) {
    Backend be = y.backend();
    Tensor g, denom;
    try (Tensor sq = be.map(org.cascadetuner.common.nn.Unary.SQUARE, y); Tensor s = be.sum(sq, true, 1, 2)) {
      g = be.sqrt(s);
    }
    try (Tensor m = be.mean(g, true, 3)) {
      denom = be.add(m, EPS);
    }
    try (Tensor n = be.div(g, denom); Tensor yn = be.mul(y, n)) {
      be.mulInPlace(yn, gamma.value());
      be.addInPlace(yn, beta.value());
      be.addInPlace(yn, y);
      if (tape.isRecording()) tape.push(new Stats(y.retain(), g, denom));
      else Saved.closeAll(g, denom);
      return yn.retain();
    }
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Stats s = tape.pop(Stats.class); Tensor n = be.div(s.g(), s.denom())) {
      Tensor y = s.y();
      if (gamma.trainable()) {
        try (Tensor yn = be.mul(y, n); Tensor p = be.mul(dy, yn); Tensor d = be.sum(p, true, 0, 1, 2)) {
          gamma.accumulate(d);
        }
      }
      if (beta.trainable()) {
        try (Tensor d = be.sum(dy, true, 0, 1, 2)) {
          beta.accumulate(d);
        }
      }
      // direct path: dy·(γ·N + 1)
      Tensor dx;
      try (Tensor gn = be.mul(n, gamma.value()); Tensor gn1 = be.add(gn, 1f)) {
        dx = be.mul(dy, gn1);
      }
      // through N = G / (mean_C G + eps): dN = Σ_hw dy·γ·y
      try (Tensor dyy = be.mul(dy, y); Tensor dn0 = be.sum(dyy, true, 1, 2); Tensor dn = be.mul(dn0, gamma.value());
          Tensor dnOverD = be.div(dn, s.denom());
          Tensor dnG = be.mul(dnOverD, n); // dN·G/D²  (= dN/D · N)
          Tensor c = be.mean(dnG, true, 3);
          Tensor dg = be.sub(dnOverD, c); // dG = dN/D − mean_C(dN·G/D²)
          Tensor safeG = be.clamp(s.g(), Float.MIN_NORMAL, Float.MAX_VALUE);
          Tensor k = be.div(dg, safeG); Tensor through = be.mul(y, k)) {
        be.addInPlace(dx, through);
      }
      return dx;
    }
  }
}
