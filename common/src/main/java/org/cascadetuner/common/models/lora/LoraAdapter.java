package org.cascadetuner.common.models.lora;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.Linear;
import org.cascadetuner.common.nn.layers.LinearAdapter;

/**
 * The low-rank update of one frozen Linear, attached to it ({@link Linear#attach}): the layer's output gains
 * {@code s·B(A(x))}, A [r, in] ({@code lora_A}), B [out, r] ({@code lora_B}), s = α/r. Backward adds the gradients
 * of A and B and returns this path's part of dL/dx.
 */
public final class LoraAdapter implements LinearAdapter {
  private final Linear base;
  private final Linear down;
  private final Linear up;
  private final float scale;

  public LoraAdapter(Linear base, Parameter a, Parameter b, float scale) {
    this.base = base;
    this.down = new Linear(a, null);
    this.up = new Linear(b, null);
    this.scale = scale;
  }

  /** The adapted module's diffusers name, e.g. {@code down_blocks.0.2.attention.to_q}. */
  public String module() {
    return base.name();
  }

  public Linear base() {
    return base;
  }

  public Parameter a() {
    return down.weight();
  }

  public Parameter b() {
    return up.weight();
  }

  public float scale() {
    return scale;
  }

  public int rank() {
    return (int) a().shape()[0];
  }

  @Override
  public Tensor forward(Tensor x, Tape tape) {
    Backend be = x.backend();
    try (Tensor h = down.forward(x, tape); Tensor u = up.forward(h, tape)) {
      be.scaleInPlace(u, scale);
      return u.retain();
    }
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    try (Tensor du = dy.backend().mul(dy, scale); Tensor dh = up.backward(du, tape)) {
      return down.backward(dh, tape);
    }
  }

  /** {@code W + s·B·A}, the base weight with the adapter folded in (a new tensor). */
  public Tensor mergedWeight() {
    Backend be = base.weight().value().backend();
    Tensor merged = be.copy(base.weight().value());
    try (Tensor ba = be.matmul(b().value(), a().value())) {
      be.addScaledInPlace(merged, ba, scale);
    }
    return merged;
  }
}
