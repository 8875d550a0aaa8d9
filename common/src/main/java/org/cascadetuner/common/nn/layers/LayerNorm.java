package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * LayerNorm over one axis (the last by default; biased variance), with or without affine weight/bias; eps from the
 * config.
 */
public final class LayerNorm implements Layer {
  private final Parameter gamma;
  private final Parameter beta;
  private final float eps;
  private final int axis;

  public LayerNorm(Parameter gamma, Parameter beta, float eps) {
    this(gamma, beta, eps, -1);
  }

  /** Normalising over {@code axis} (e.g. 1: the channels of an NCHW tensor). */
  public LayerNorm(Parameter gamma, Parameter beta, float eps, int axis) {
    this.gamma = gamma;
    this.beta = beta;
    this.eps = eps;
    this.axis = axis;
  }

  /** Affine LayerNorm: {@code <prefix>.weight} and {@code <prefix>.bias}, both [dim]. */
  public static LayerNorm load(ParameterStore store, String prefix, long dim, float eps) {
    return new LayerNorm(store.load(prefix + ".weight", dim), store.load(prefix + ".bias", dim), eps);
  }

  /** Without affine parameters (Stage C's norms, eps 1e-6). */
  public static LayerNorm plain(float eps) {
    return new LayerNorm(null, null, eps);
  }

  record Stats(Tensor x, Tensor mean, Tensor rstd) implements Saved {
    @Override
    public long bytes() {
      return Saved.bytesOf(x, mean, rstd);
    }

    @Override
    public void close() {
      Saved.closeAll(x, mean, rstd);
    }
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    Backend.LayerNormResult r = x.backend().layerNorm(x, axis, gamma == null ? null : gamma.value(),
        beta == null ? null : beta.value(), eps);
    if (tape.isRecording()) tape.push(new Stats(x.retain(), r.mean(), r.rstd()));
    else Saved.closeAll(r.mean(), r.rstd());
    return r.y();
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    try (Stats s = tape.pop(Stats.class)) {
      Backend.LayerNormGrads g = be.layerNormBackward(dy, s.x(), s.mean(), s.rstd(),
          gamma == null ? null : gamma.value(), beta != null && beta.trainable(), axis);
      if (g.dGamma() != null) {
        gamma.accumulate(g.dGamma());
        g.dGamma().close();
      }
      if (g.dBeta() != null) {
        beta.accumulate(g.dBeta());
        g.dBeta().close();
      }
      return g.dx();
    }
  }
}
