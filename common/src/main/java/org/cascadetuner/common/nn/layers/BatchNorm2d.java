package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * BatchNorm2d in inference (running statistics), eps from the caller (torchvision EfficientNet 1e-3, the effnet
 * mapper 1e-5). Folded once into a per-channel scale and shift, as torch's CPU kernel does:
 * {@code α = w / sqrt(var + eps)}, {@code β = b − mean·α}, {@code y = x·α + β}. The statistics and affine weights
 * are frozen; backward gives dL/dx only.
 */
public final class BatchNorm2d implements Layer, AutoCloseable {
  private final Tensor scale; // [1, C, 1, 1]
  private final Tensor shift;

  public BatchNorm2d(Tensor scale, Tensor shift) {
    this.scale = scale;
    this.shift = shift;
  }

  /** {@code <prefix>.running_mean/running_var} and, when {@code affine}, {@code <prefix>.weight/bias}. */
  public static BatchNorm2d load(ParameterStore store, String prefix, long channels, float eps, boolean affine) {
    Backend be = store.backend();
    Tensor mean = store.load(prefix + ".running_mean", channels).value();
    Tensor var = store.load(prefix + ".running_var", channels).value();
    Tensor alpha;
    try (Tensor v = be.add(var, eps); Tensor rstd = be.map(org.cascadetuner.common.nn.Unary.RSQRT, v)) {
      alpha = affine ? be.mul(rstd, store.load(prefix + ".weight", channels).value()) : rstd.retain();
    }
    Tensor beta;
    try (alpha; Tensor ma = be.mul(mean, alpha)) {
      if (affine) {
        beta = be.sub(store.load(prefix + ".bias", channels).value(), ma);
      } else {
        beta = be.mul(ma, -1f);
      }
      try (beta) {
        return new BatchNorm2d(be.reshape(alpha, 1, channels, 1, 1), be.reshape(beta, 1, channels, 1, 1));
      }
    }
  }

  /** The per-channel factor {@code α} [1, C, 1, 1] (a convolution before this layer can absorb it). */
  public Tensor scale() {
    return scale;
  }

  /** The per-channel offset {@code β} [1, C, 1, 1]. */
  public Tensor shift() {
    return shift;
  }

  record Nothing() implements Saved {
    @Override
    public long bytes() {
      return 0;
    }

    @Override
    public void close() {}
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    Backend be = x.backend();
    Tensor y = be.mul(x, scale);
    be.addInPlace(y, shift);
    tape.push(new Nothing());
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    tape.pop(Nothing.class).close();
    return dy.backend().mul(dy, scale);
  }

  @Override
  public void close() {
    scale.close();
    shift.close();
  }
}
