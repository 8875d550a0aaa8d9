package org.cascadetuner.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import java.util.function.Function;
import org.cascadetuner.common.nn.layers.BatchNorm2d;
import org.cascadetuner.common.nn.layers.Conv2d;
import org.cascadetuner.common.nn.layers.ConvTranspose2d;
import org.cascadetuner.common.nn.layers.Dropout;
import org.cascadetuner.common.nn.layers.Embedding;
import org.cascadetuner.common.nn.layers.Gelu;
import org.cascadetuner.common.nn.layers.GlobalResponseNorm;
import org.cascadetuner.common.nn.layers.LayerNorm;
import org.cascadetuner.common.nn.layers.LayerNorm2d;
import org.cascadetuner.common.nn.layers.Linear;
import org.cascadetuner.common.nn.layers.MultiHeadAttention;
import org.cascadetuner.common.nn.layers.Silu;
import org.cascadetuner.common.nn.layers.SqueezeExcitation;
import org.cascadetuner.common.nn.testing.GradCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every layer's backward (input and parameter gradients) against central finite differences of its forward. */
class LayerGradientTest {
  final Backend be = Backends.get("cpu");
  final Random rng = new Random(42);
  ParameterStore store;

  @BeforeEach
  void open() {
    store = new ParameterStore(be, null, name -> true, "test");
  }

  @AfterEach
  void close() {
    store.close();
  }

  Parameter param(String name, double scale, long... shape) {
    return store.add(name, GradCheck.randn(be, rng, scale, shape));
  }

  /** Forward with a recording tape, backward with dy = r, then compare dx and every trainable gradient. */
  void check(String what, Layer layer, Tensor x) {
    check(what, (t, tape) -> layer.forward(t, tape), (dy, tape) -> layer.backward(dy, tape), x);
  }

  interface Fwd {
    Tensor apply(Tensor x, Tape tape);
  }

  interface Bwd {
    Tensor apply(Tensor dy, Tape tape);
  }

  void check(String what, Fwd fwd, Bwd bwd, Tensor x) {
    store.zeroGrads();
    float[] r;
    Tensor dx;
    try (Tape tape = Tape.recording(); Tensor y = fwd.apply(x, tape)) {
      r = GradCheck.randn(rng, (int) y.numel(), 1.0);
      try (Tensor dy = be.fromFloats(r, y.shape())) {
        dx = bwd.apply(dy, tape);
      }
      assertEquals(0, tape.size(), what + ": backward left records on the tape");
    }
    try (dx) {
      assertArrayEquals(x.shape(), dx.shape(), what + ": dx shape");
      GradCheck.assertGradient(what + " dx", GradCheck.numeric(x, () -> fwd.apply(x, Tape.NONE), r), dx.toFloats());
    }
    for (Parameter p : store.trainable()) {
      GradCheck.assertMatches(what + " d" + p.name(), GradCheck.numeric(p.value(), () -> fwd.apply(x, Tape.NONE), r),
          p.grad().toFloats());
    }
  }

  @Test
  void linear() {
    Linear l = new Linear(param("w", 0.5, 5, 4), param("b", 0.5, 5));
    try (Tensor x = GradCheck.randn(be, rng, 1, 2, 3, 4)) {
      check("linear", l, x);
    }
  }

  @Test
  void linearWithFrozenWeightKeepsNoInput() {
    ParameterStore frozen = new ParameterStore(be, null, n -> false, "frozen");
    Linear l = new Linear(frozen.add("w", GradCheck.randn(be, rng, 0.5, 3, 4)), null);
    try (frozen; Tensor x = GradCheck.randn(be, rng, 1, 2, 4); Tape tape = Tape.recording();
        Tensor y = l.forward(x, tape)) {
      assertEquals(0, tape.bytes(), "a frozen Linear keeps nothing but needs nothing for dx");
      try (Tensor dy = be.full(1f, y.shape()); Tensor dx = l.backward(dy, tape)) {
        assertArrayEquals(x.shape(), dx.shape());
      }
      assertNull(l.weight().grad());
    }
  }

  @Test
  void linearWithAnAttachedLowRankAdapterOnAFrozenWeight() {
    store.close();
    store = new ParameterStore(be, null, name -> name.contains("lora"), "lora");
    Linear base = new Linear(param("to_q.weight", 0.5, 5, 4), param("to_q.bias", 0.5, 5));
    Linear a = new Linear(param("to_q.lora_A.weight", 0.5, 2, 4), null);
    Linear b = new Linear(param("to_q.lora_B.weight", 0.5, 5, 2), null);
    float scale = 2f;
    base.attach(new org.cascadetuner.common.nn.layers.LinearAdapter() {
      @Override
      public Tensor forward(Tensor x, Tape tape) {
        try (Tensor h = a.forward(x, tape); Tensor d = b.forward(h, tape)) {
          return be.mul(d, scale);
        }
      }

      @Override
      public Tensor backward(Tensor dy, Tape tape) {
        try (Tensor ds = be.mul(dy, scale); Tensor dh = b.backward(ds, tape)) {
          return a.backward(dh, tape);
        }
      }
    });
    assertEquals("to_q", base.name());
    assertNull(base.weight().grad(), "the base weight stays frozen");
    try (Tensor x = GradCheck.randn(be, rng, 1, 2, 3, 4)) {
      check("linear + adapter", base, x); // dx through both paths, dA and dB
    }
  }

  @Test
  void layerNormAffineAndPlain() {
    LayerNorm ln = new LayerNorm(param("g", 1, 6), param("b", 1, 6), 1e-5f);
    try (Tensor x = GradCheck.randn(be, rng, 2, 3, 6)) {
      check("layernorm", ln, x);
    }
    store.close();
    store = new ParameterStore(be, null, name -> true, "test");
    try (Tensor x = GradCheck.randn(be, rng, 2, 4, 5)) {
      check("layernorm plain", LayerNorm.plain(1e-6f), x);
    }
  }

  @Test
  void layerNorm2d() {
    try (Tensor x = GradCheck.randn(be, rng, 2, 2, 5, 3, 2)) {
      check("layernorm2d", LayerNorm2d.plain(1e-6f), x);
      check("layernorm2d affine", new LayerNorm2d(param("g", 1, 5), param("b", 1, 5), 1e-6f), x);
    }
  }

  @Test
  void activations() {
    try (Tensor x = GradCheck.randn(be, rng, 2, 3, 7)) {
      check("gelu", new Gelu(), x);
      check("silu", new Silu(), x);
    }
  }

  @Test
  void conv2dStridedPadded() {
    Conv2d c = new Conv2d(param("w", 0.3, 4, 3, 3, 3), param("b", 0.3, 4), Conv2dSpec.of(2, 1));
    try (Tensor x = GradCheck.randn(be, rng, 1, 2, 3, 6, 5)) {
      check("conv2d k3 s2 p1", c, x);
    }
  }

  @Test
  void conv2dDepthwise() {
    Conv2d c = new Conv2d(param("w", 0.3, 4, 1, 3, 3), param("b", 0.3, 4), Conv2dSpec.of(1, 1, 4));
    try (Tensor x = GradCheck.randn(be, rng, 1, 2, 4, 5, 5)) {
      check("depthwise k3 s1 p1", c, x);
    }
  }

  @Test
  void conv2dDepthwiseStride2() {
    Conv2d c = new Conv2d(param("w", 0.3, 3, 1, 3, 3), null, Conv2dSpec.of(2, 1, 3));
    try (Tensor x = GradCheck.randn(be, rng, 1, 1, 3, 6, 6)) {
      check("depthwise k3 s2 p1", c, x);
    }
  }

  @Test
  void conv2dGrouped() {
    Conv2d c = new Conv2d(param("w", 0.3, 4, 2, 3, 3), param("b", 0.3, 4), Conv2dSpec.of(1, 1, 2));
    try (Tensor x = GradCheck.randn(be, rng, 1, 1, 4, 4, 4)) {
      check("grouped conv g2", c, x);
    }
  }

  @Test
  void conv2dKernel2Stride2() {
    Conv2d c = new Conv2d(param("w", 0.3, 3, 2, 2, 2), param("b", 0.3, 3), Conv2dSpec.of(2, 0));
    try (Tensor x = GradCheck.randn(be, rng, 1, 2, 2, 5, 4)) {
      check("conv k2 s2 (odd size floored)", c, x);
    }
  }

  @Test
  void conv2dFrozenWeightBackwardInput() {
    ParameterStore frozen = new ParameterStore(be, null, n -> false, "frozen");
    try (frozen) {
      Conv2d c = new Conv2d(frozen.add("w", GradCheck.randn(be, rng, 0.3, 3, 2, 3, 3)), null, Conv2dSpec.of(2, 1));
      try (Tensor x = GradCheck.randn(be, rng, 1, 1, 2, 5, 6)) {
        check("conv frozen (odd input, deconv fallback)", c, x);
      }
      try (Tensor x = GradCheck.randn(be, rng, 1, 1, 2, 7, 7)) {
        check("conv frozen (exact size)", c, x);
      }
    }
  }

  @Test
  void convTransposeK2S2() {
    ConvTranspose2d c = new ConvTranspose2d(param("w", 0.3, 3, 2, 2, 2), param("b", 0.3, 2), Conv2dSpec.of(2, 0), 0);
    try (Tensor x = GradCheck.randn(be, rng, 1, 2, 3, 3, 2)) {
      check("convT k2 s2", c, x);
    }
  }

  @Test
  void convTransposeK4S2P1() {
    ConvTranspose2d c = new ConvTranspose2d(param("w", 0.3, 2, 3, 4, 4), param("b", 0.3, 3), Conv2dSpec.of(2, 1), 0);
    try (Tensor x = GradCheck.randn(be, rng, 1, 1, 2, 3, 3)) {
      check("convT k4 s2 p1", c, x);
    }
  }

  @Test
  void globalResponseNorm() {
    GlobalResponseNorm g = new GlobalResponseNorm(param("gamma", 1, 1, 1, 1, 6), param("beta", 1, 1, 1, 1, 6));
    try (Tensor x = GradCheck.randn(be, rng, 1, 2, 3, 2, 6)) {
      check("grn", g, x);
    }
  }

  @Test
  void attentionSelfAndCross() {
    long c = 8;
    MultiHeadAttention mha = new MultiHeadAttention(new Linear(param("q.w", 0.4, c, c), param("q.b", 0.2, c)),
        new Linear(param("k.w", 0.4, c, 6), param("k.b", 0.2, c)),
        new Linear(param("v.w", 0.4, c, 6), param("v.b", 0.2, c)),
        new Linear(param("o.w", 0.4, c, c), param("o.b", 0.2, c)), 2);
    try (Tensor ctx = GradCheck.randn(be, rng, 1, 2, 5, 6); Tensor x = GradCheck.randn(be, rng, 1, 2, 3, c);
        Tensor mask = be.fromFloats(new float[] {0, 0, Float.NEGATIVE_INFINITY, 0, 0}, 1, 1, 1, 5)) {
      Fwd f = (t, tape) -> mha.forward(t, ctx, mask, tape);
      Bwd b = (dy, tape) -> {
        MultiHeadAttention.Grads g = mha.backward(dy, tape);
        g.dContext().close();
        return g.dx();
      };
      check("cross attention with key mask", f, b, x);
      // the context gradient
      store.zeroGrads();
      float[] r;
      Tensor dctx;
      try (Tape tape = Tape.recording(); Tensor y = mha.forward(x, ctx, mask, tape)) {
        r = GradCheck.randn(rng, (int) y.numel(), 1);
        try (Tensor dy = be.fromFloats(r, y.shape())) {
          MultiHeadAttention.Grads g = mha.backward(dy, tape);
          g.dx().close();
          dctx = g.dContext();
        }
      }
      try (dctx) {
        GradCheck.assertGradient("attention dcontext",
            GradCheck.numeric(ctx, () -> mha.forward(x, ctx, mask, Tape.NONE), r), dctx.toFloats());
      }
    }
  }

  @Test
  void embeddingScatterAddsRepeatedIds() {
    Embedding e = new Embedding(param("table", 1, 5, 3));
    int[] ids = {4, 1, 4, 0};
    Tape tape = Tape.recording();
    float[] r = GradCheck.randn(rng, 12, 1);
    try (tape; Tensor y = e.forward(ids, new long[] {2, 2}, tape); Tensor dy = be.fromFloats(r, 2, 2, 3)) {
      assertArrayEquals(new long[] {2, 2, 3}, y.shape());
      e.backward(dy, tape);
    }
    float[] num = GradCheck.numeric(e.table().value(), () -> e.forward(ids, new long[] {2, 2}, Tape.NONE), r);
    GradCheck.assertGradient("embedding table", num, e.table().grad().toFloats());
  }

  @Test
  void squeezeExcitation() {
    SqueezeExcitation se = new SqueezeExcitation(
        new Conv2d(param("fc1.w", 0.5, 2, 4, 1, 1), param("fc1.b", 0.5, 2), Conv2dSpec.of(1, 0)),
        new Conv2d(param("fc2.w", 0.5, 4, 2, 1, 1), param("fc2.b", 0.5, 4), Conv2dSpec.of(1, 0)));
    try (Tensor x = GradCheck.randn(be, rng, 1, 2, 4, 3, 3)) {
      check("squeeze-excitation", se, x);
    }
  }

  @Test
  void batchNormInference() {
    ParameterStore frozen = new ParameterStore(be, null, n -> false, "bn");
    try (frozen) {
      frozen.add("bn.running_mean", GradCheck.randn(be, rng, 1, 3));
      frozen.add("bn.running_var", be.fromFloats(new float[] {0.5f, 1.5f, 2f}, 3));
      frozen.add("bn.weight", GradCheck.randn(be, rng, 1, 3));
      frozen.add("bn.bias", GradCheck.randn(be, rng, 1, 3));
      try (BatchNorm2d bn = BatchNorm2d.load(frozen, "bn", 3, 1e-3f, true);
          Tensor x = GradCheck.randn(be, rng, 1, 2, 3, 2, 2)) {
        check("batchnorm eval", bn, x);
        float[] y;
        try (Tensor out = bn.forward(x, Tape.NONE)) {
          y = out.toFloats();
        }
        float[] xs = x.toFloats(), m = frozen.get("bn.running_mean").value().toFloats(),
            v = frozen.get("bn.running_var").value().toFloats(), w = frozen.get("bn.weight").value().toFloats(),
            b = frozen.get("bn.bias").value().toFloats();
        for (int i = 0; i < xs.length; i++) {
          int ch = (i / 4) % 3;
          double ref = (xs[i] - m[ch]) / Math.sqrt(v[ch] + 1e-3) * w[ch] + b[ch];
          assertEquals(ref, y[i], 1e-5, "batchnorm value " + i);
        }
      }
    }
  }

  @Test
  void dropoutIsIdentityInEvalAndReusesItsMask() {
    Dropout d = new Dropout(0.5f);
    try (Tensor x = GradCheck.randn(be, rng, 1, 4, 50); Tensor eval = d.forward(x, false, 7, Tape.NONE)) {
      assertArrayEquals(x.toFloats(), eval.toFloats());
      Function<Long, float[]> run = seed -> {
        try (Tensor y = d.forward(x, true, seed, Tape.NONE)) {
          return y.toFloats();
        }
      };
      assertArrayEquals(run.apply(3L), run.apply(3L), "same seed, same mask");
      float[] y = run.apply(3L), xs = x.toFloats();
      int zeros = 0;
      for (int i = 0; i < y.length; i++) {
        if (y[i] == 0f) zeros++;
        else assertEquals(2 * xs[i], y[i], 1e-6, "kept values are scaled by 1/(1-p)");
      }
      org.junit.jupiter.api.Assertions.assertTrue(zeros > 60 && zeros < 140, "about half dropped: " + zeros);
      check("dropout (training)", (t, tape) -> d.forward(t, true, 11, tape), (dy, tape) -> d.backward(dy, tape), x);
    }
  }
}
