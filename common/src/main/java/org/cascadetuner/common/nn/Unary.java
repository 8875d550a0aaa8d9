package org.cascadetuner.common.nn;

/** Elementwise functions of one tensor ({@link Backend#map}). GELU is the exact erf form, as torch's nn.GELU(). */
public enum Unary {
  NEG, ABS, SQUARE, SQRT, RSQRT, RECIPROCAL, EXP, LOG, SIN, COS, TANH, ERF, SIGMOID, SILU, GELU
}
