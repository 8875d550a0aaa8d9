package org.cascadetuner.common.models.lora;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.Linear;

/**
 * A frozen Linear with a low-rank update: {@code y = base(x) + s·B(A(x))}, A [r, in] ({@code lora_A}, kaiming-uniform
 * at start), B [out, r] ({@code lora_B}, zeros at start), s = α/r. Backward adds the gradients of A and B (and of the
 * base weights only if they were made trainable).
 */
public final class LoraLinear implements Layer {
  private final String module;
  private final Linear base;
  private final Linear down;
  private final Linear up;
  private final float scale;

  public LoraLinear(String module, Linear base, Parameter a, Parameter b, float scale) {
    this.module = module;
    this.base = base;
    this.down = new Linear(a, null);
    this.up = new Linear(b, null);
    this.scale = scale;
  }

  /** The adapted module's diffusers name, e.g. {@code down_blocks.0.2.attention.to_q}. */
  public String module() {
    return module;
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
    Tensor y = base.forward(x, tape);
    try (Tensor h = down.forward(x, tape); Tensor u = up.forward(h, tape)) {
      be.addScaledInPlace(y, u, scale);
    }
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    Tensor dxLow;
    try (Tensor du = be.mul(dy, scale); Tensor dh = up.backward(du, tape)) {
      dxLow = down.backward(dh, tape);
    }
    try (dxLow) {
      Tensor dx = base.backward(dy, tape);
      be.addInPlace(dx, dxLow);
      return dx;
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
