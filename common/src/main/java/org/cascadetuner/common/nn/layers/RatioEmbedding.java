package org.cascadetuner.common.nn.layers;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * Stable Cascade's sinusoidal embedding of a timestep ratio (spec §1.3.1, {@code gen_r_embedding}):
 * {@code freq_j = exp(−j·ln(maxPositions)/(half − 1))}, {@code arg = (r·maxPositions)·freq},
 * {@code E(r) = [sin(arg), cos(arg)]} (a zero column appended when the width is odd). No parameters, no gradient
 * needed (r is an input).
 */
public final class RatioEmbedding {
  private final int dim;
  private final float maxPositions;
  private final float[] freq;

  public RatioEmbedding(int dim, float maxPositions) {
    if (dim < 4) throw new IllegalArgumentException("r embedding width " + dim + " must be at least 4");
    this.dim = dim;
    this.maxPositions = maxPositions;
    int half = dim / 2;
    // torch: arange(half).float().mul(−emb).exp(), emb = ln(maxPositions)/(half − 1) as a Python double
    float emb = (float) (Math.log(maxPositions) / (half - 1));
    freq = new float[half];
    for (int j = 0; j < half; j++) freq[j] = (float) Math.exp((float) j * -emb);
  }

  public int dim() {
    return dim;
  }

  /** r [B] → [B, dim]. */
  public Tensor forward(Tensor r) {
    Backend be = r.backend();
    long b = r.size(0);
    try (Tensor f = be.fromFloats(freq, 1, freq.length); Tensor rs = be.mul(r, maxPositions);
        Tensor rc = be.reshape(rs, b, 1); Tensor arg = be.mul(rc, f); Tensor s = be.sin(arg); Tensor c = be.cos(arg)) {
      if (dim % 2 == 0) return be.concat(1, s, c);
      try (Tensor z = be.zeros(b, 1)) {
        return be.concat(1, s, c, z);
      }
    }
  }
}
