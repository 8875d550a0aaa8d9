package org.cascadetuner.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.nn.testing.GradCheck;
import org.junit.jupiter.api.Test;

/**
 * Forward math of every backend op against plain double-precision references written from the PyTorch definitions
 * (index formulas, naive loops), plus view and ownership semantics.
 */
class BackendOpsTest {
  static final double TOL = 2e-6;
  final Backend be = Backends.get("cpu");
  final Random rng = new Random(7);

  Tensor randn(long... shape) {
    return GradCheck.randn(be, rng, 1.0, shape);
  }

  static int idx(long[] shape, long... i) {
    long k = 0;
    for (int d = 0; d < shape.length; d++) k = k * shape[d] + i[d];
    return (int) k;
  }

  static void close(String what, double[] ref, Tensor t) {
    float[] f = new float[ref.length];
    for (int i = 0; i < f.length; i++) f[i] = (float) ref[i];
    Compare.assertClose(what, f, t, TOL);
  }

  @Test
  void backendsAreFoundByName() {
    assertSame(Backends.get("cpu"), Backends.get("cpu"));
    assertTrue(Backends.names().contains("cpu"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("tpu"));
    assertTrue(e.getMessage().contains("available: [cpu"), e.getMessage());
  }

  /** Naive batched matmul with optional transposes; a [bt, ., .], b [bt or 1, ., .]. */
  static double[] matmulRef(float[] a, long[] as, float[] b, long[] bs, boolean ta, boolean tb) {
    int r = as.length;
    long batch = 1;
    for (int i = 0; i < r - 2; i++) batch *= as[i];
    long m = ta ? as[r - 1] : as[r - 2], k = ta ? as[r - 2] : as[r - 1];
    int rb = bs.length;
    long n = tb ? bs[rb - 2] : bs[rb - 1];
    boolean shared = rb == 2;
    double[] out = new double[(int) (batch * m * n)];
    for (int bt = 0; bt < batch; bt++)
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int q = 0; q < k; q++) {
            double av = a[(int) (bt * m * k + (ta ? q * m + i : i * k + q))];
            int boff = shared ? 0 : (int) (bt * k * n);
            double bv = b[(int) (boff + (tb ? j * k + q : q * n + j))];
            s += av * bv;
          }
          out[(int) ((bt * m + i) * n + j)] = s;
        }
    return out;
  }

  @Test
  void matmulAllTransposesBatchedAndShared() {
    for (boolean ta : new boolean[] {false, true})
      for (boolean tb : new boolean[] {false, true}) {
        long[] as = ta ? new long[] {2, 3, 4, 5} : new long[] {2, 3, 5, 4};
        long[] bs = tb ? new long[] {2, 3, 6, 4} : new long[] {2, 3, 4, 6};
        try (Tensor a = randn(as); Tensor b = randn(bs); Tensor c = be.matmul(a, b, ta, tb)) {
          assertArrayEquals(new long[] {2, 3, 5, 6}, c.shape());
          close("matmul ta=" + ta + " tb=" + tb, matmulRef(a.toFloats(), as, b.toFloats(), bs, ta, tb), c);
        }
        long[] ws = tb ? new long[] {6, 4} : new long[] {4, 6};
        try (Tensor a = randn(as); Tensor w = randn(ws); Tensor c = be.matmul(a, w, ta, tb)) {
          assertArrayEquals(new long[] {2, 3, 5, 6}, c.shape());
          close("shared matmul ta=" + ta + " tb=" + tb, matmulRef(a.toFloats(), as, w.toFloats(), ws, ta, tb), c);
        }
      }
  }

  @Test
  void matmulOfPermutedViews() {
    try (Tensor a0 = randn(2, 5, 3); Tensor a = be.permute(a0, 0, 2, 1); Tensor b = randn(2, 5, 4);
        Tensor c = be.matmul(a, b); Tensor ac = be.contiguous(a); Tensor ref = be.matmul(ac, b)) {
      assertArrayEquals(ref.toFloats(), c.toFloats());
    }
  }

  @Test
  void gemmAccumulatesAndLinearAddsBias() {
    try (Tensor a = randn(4, 3); Tensor b = randn(4, 5); Tensor c = randn(3, 5); Tensor x = randn(2, 3, 5);
        Tensor w = randn(4, 5); Tensor bias = randn(4)) {
      double[] ref = matmulRef(a.toFloats(), a.shape(), b.toFloats(), b.shape(), true, false);
      float[] c0 = c.toFloats();
      for (int i = 0; i < ref.length; i++) ref[i] = 0.5 * ref[i] + 2 * c0[i];
      be.gemm(c, a, b, true, false, 0.5f, 2f);
      close("gemm alpha/beta", ref, c);
      double[] lin = matmulRef(x.toFloats(), x.shape(), w.toFloats(), w.shape(), false, true);
      float[] bs = bias.toFloats();
      for (int i = 0; i < lin.length; i++) lin[i] += bs[i % 4];
      try (Tensor y = be.linear(x, w, bias)) {
        assertArrayEquals(new long[] {2, 3, 4}, y.shape());
        close("linear", lin, y);
      }
    }
  }

  @Test
  void broadcastArithmeticAndInPlace() {
    try (Tensor a = randn(2, 3, 4); Tensor b = randn(3, 1); Tensor s = be.add(a, b); Tensor d = be.sub(a, b);
        Tensor m = be.mul(a, b); Tensor q = be.div(a, b)) {
      float[] av = a.toFloats(), bv = b.toFloats();
      double[] rs = new double[24], rd = new double[24], rm = new double[24], rq = new double[24];
      for (int i = 0; i < 24; i++) {
        double x = av[i], y = bv[(i / 4) % 3];
        rs[i] = x + y;
        rd[i] = x - y;
        rm[i] = x * y;
        rq[i] = x / y;
      }
      close("add", rs, s);
      close("sub", rd, d);
      close("mul", rm, m);
      close("div", rq, q);
      be.addInPlace(a, b);
      close("addInPlace", rs, a);
      try (Tensor v = be.slice(a, 2, 1, 3); Tensor row = be.fromFloats(new float[] {10, 20}, 2)) {
        be.addInPlace(v, row); // a non-contiguous view, broadcast source
      }
      float[] after = a.toFloats();
      for (int i = 0; i < 24; i++) {
        int col = i % 4;
        double expect = rs[i] + (col == 1 ? 10 : col == 2 ? 20 : 0);
        assertEquals(expect, after[i], 1e-5, "in-place add into a view at " + i);
      }
    }
  }

  /** erf by its Taylor series (double; exact enough on [−4, 4] for float32 checks). */
  static double erf(double x) {
    double sum = 0, term = x;
    for (int n = 0; n < 200; n++) {
      sum += term / (2 * n + 1);
      term *= -x * x / (n + 1);
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }

  @Test
  void unaryFunctionsIncludingExactGelu() {
    float[] xs = new float[41];
    for (int i = 0; i < xs.length; i++) xs[i] = -4f + 0.2f * i;
    try (Tensor x = be.fromFloats(xs, xs.length)) {
      for (Unary f : Unary.values()) {
        double[] ref = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
          double v = xs[i], s = 1 / (1 + Math.exp(-v)), av = Math.abs(v) + 0.5;
          ref[i] = switch (f) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case SQUARE -> v * v;
            case SQRT -> Math.sqrt(av);
            case RSQRT -> 1 / Math.sqrt(av);
            case RECIPROCAL -> 1 / av;
            case EXP -> Math.exp(v);
            case LOG -> Math.log(av);
            case SIN -> Math.sin(v);
            case COS -> Math.cos(v);
            case TANH -> Math.tanh(v);
            case ERF -> erf(v);
            case SIGMOID -> s;
            case SILU -> v * s;
            case GELU -> 0.5 * v * (1 + erf(v / Math.sqrt(2)));
          };
        }
        boolean positive = f == Unary.SQRT || f == Unary.RSQRT || f == Unary.RECIPROCAL || f == Unary.LOG;
        try (Tensor ax = be.map(Unary.ABS, x); Tensor in = positive ? be.add(ax, 0.5f) : x.retain();
            Tensor y = be.map(f, in)) {
          close(f.name(), ref, y);
        }
      }
      try (Tensor one = be.fromFloats(new float[] {1f}, 1); Tensor g = be.gelu(one)) {
        assertEquals(0.8413447f, g.item(), 1e-7, "exact GELU(1), not ND4J's approximations");
      }
    }
  }

  @Test
  void powClampAndScalars() {
    try (Tensor x = randn(3, 4); Tensor ax = be.map(Unary.ABS, x); Tensor p = be.pow(ax, 1.5f);
        Tensor c = be.clamp(x, -0.5f, 0.25f); Tensor s = be.add(x, 2f); Tensor m = be.mul(x, -3f)) {
      float[] v = x.toFloats();
      double[] rp = new double[12], rc = new double[12], rs = new double[12], rm = new double[12];
      for (int i = 0; i < 12; i++) {
        rp[i] = Math.pow(Math.abs(v[i]), 1.5);
        rc[i] = Math.max(-0.5, Math.min(0.25, v[i]));
        rs[i] = v[i] + 2;
        rm[i] = v[i] * -3;
      }
      close("pow", rp, p);
      close("clamp", rc, c);
      close("add scalar", rs, s);
      close("mul scalar", rm, m);
    }
  }

  @Test
  void reductionsOverAxes() {
    long[] sh = {2, 3, 4};
    try (Tensor x = randn(sh); Tensor s = be.sum(x, false, 0, 2); Tensor mk = be.mean(x, true, -1);
        Tensor mx = be.max(x, false, 1); Tensor all = be.sum(x, false)) {
      float[] v = x.toFloats();
      double[] rs = new double[3], rm = new double[6], rx = new double[8];
      java.util.Arrays.fill(rx, Double.NEGATIVE_INFINITY);
      double total = 0;
      for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
          for (int c = 0; c < 4; c++) {
            double e = v[idx(sh, a, b, c)];
            rs[b] += e;
            rm[a * 3 + b] += e / 4;
            rx[a * 4 + c] = Math.max(rx[a * 4 + c], e);
            total += e;
          }
      assertArrayEquals(new long[] {3}, s.shape());
      assertArrayEquals(new long[] {2, 3, 1}, mk.shape());
      close("sum axes 0,2", rs, s);
      close("mean last keepdims", rm, mk);
      close("max axis 1", rx, mx);
      assertEquals(total, all.item(), 1e-5);
      assertEquals(GradCheck.dot(v, v), be.sumOfSquares(x), 1e-5);
      try (Tensor g = randn(2, 3, 4); Tensor back = be.sumTo(g, 3, 1)) {
        float[] gv = g.toFloats();
        double[] ref = new double[3];
        for (int i = 0; i < 24; i++) ref[(i / 4) % 3] += gv[i];
        assertArrayEquals(new long[] {3, 1}, back.shape());
        close("sumTo", ref, back);
      }
    }
  }

  @Test
  void viewsShareStorageAndSurviveTheirBase() {
    Tensor base = be.fromFloats(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4);
    Tensor t = be.permute(base, 1, 0);
    Tensor row = be.slice(base, 0, 1, 2);
    Tensor flat = be.reshape(base, -1);
    assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, t.toFloats());
    assertArrayEquals(new float[] {4, 5, 6, 7}, row.toFloats());
    be.fill(row, -1f);
    assertEquals(-1f, flat.toFloats()[5], "a write through a slice shows in every view");
    base.close();
    assertTrue(base.isClosed());
    assertFalse(t.isClosed());
    assertEquals(-1f, t.toFloats()[1], "storage lives while a view is open");
    assertThrows(IllegalStateException.class, base::toFloats);
    try (Tensor pt = be.reshape(t, 12)) { // reshape of a non-contiguous view copies
      assertArrayEquals(t.toFloats(), pt.toFloats());
    }
    t.close();
    row.close();
    flat.close();
    t.close(); // a second close is harmless
  }

  @Test
  void assignBroadcastsAndWritesThroughViews() {
    try (Tensor dst = be.zeros(2, 3); Tensor row = be.fromFloats(new float[] {1, 2, 3}, 3);
        Tensor col = be.fromFloats(new float[] {7, 8}, 2, 1); Tensor one = be.full(5f, 1)) {
      be.assign(dst, row);
      assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, dst.toFloats());
      be.assign(dst, col);
      assertArrayEquals(new float[] {7, 7, 7, 8, 8, 8}, dst.toFloats());
      try (Tensor t = be.permute(dst, 1, 0); Tensor s = be.slice(t, 0, 1, 2); Tensor s2 = be.slice(t, 0, 2, 3)) {
        be.assign(s, one); // column 1 of dst, through a permuted slice
        be.write(s2, new float[] {-1, -2});
      }
      assertArrayEquals(new float[] {7, 5, -1, 8, 5, -2}, dst.toFloats());
    }
  }

  @Test
  void sliceConcatSplitChunk() {
    try (Tensor a = randn(2, 3, 4); Tensor b = randn(2, 1, 4); Tensor c = be.concat(1, a, b)) {
      assertArrayEquals(new long[] {2, 4, 4}, c.shape());
      List<Tensor> parts = be.split(c, 1, 3, 1);
      assertArrayEquals(a.toFloats(), parts.get(0).toFloats());
      assertArrayEquals(b.toFloats(), parts.get(1).toFloats());
      parts.forEach(Tensor::close);
      List<Tensor> halves = be.chunk(a, -1, 2);
      try (Tensor back = be.concat(-1, halves.get(0), halves.get(1))) {
        assertArrayEquals(a.toFloats(), back.toFloats());
      }
      halves.forEach(Tensor::close);
      assertThrows(IllegalArgumentException.class, () -> be.split(a, 1, 2, 2));
    }
  }

  @Test
  void layerNormAndSoftmax() {
    try (Tensor x = randn(3, 7); Tensor g = randn(7); Tensor b = randn(7);
        Backend.LayerNormResult r = be.layerNorm(x, g, b, 1e-5f); Tensor sm = be.softmax(x)) {
      float[] v = x.toFloats(), gv = g.toFloats(), bv = b.toFloats();
      double[] ln = new double[21], soft = new double[21];
      for (int row = 0; row < 3; row++) {
        double mean = 0, var = 0, max = Double.NEGATIVE_INFINITY, z = 0;
        for (int j = 0; j < 7; j++) {
          mean += v[row * 7 + j] / 7.0;
          max = Math.max(max, v[row * 7 + j]);
        }
        for (int j = 0; j < 7; j++) var += Math.pow(v[row * 7 + j] - mean, 2) / 7.0;
        for (int j = 0; j < 7; j++) {
          ln[row * 7 + j] = (v[row * 7 + j] - mean) / Math.sqrt(var + 1e-5) * gv[j] + bv[j];
          z += Math.exp(v[row * 7 + j] - max);
        }
        for (int j = 0; j < 7; j++) soft[row * 7 + j] = Math.exp(v[row * 7 + j] - max) / z;
      }
      close("layer norm", ln, r.y());
      close("softmax", soft, sm);
    }
  }

  @Test
  void layerNormOverChannelsEqualsThePermutedLastAxisNorm() {
    try (Tensor x = randn(2, 5, 3, 4); Tensor g = randn(5); Tensor b = randn(5);
        Backend.LayerNormResult direct = be.layerNorm(x, 1, g, b, 1e-6f); Tensor p = be.permute(x, 0, 2, 3, 1);
        Tensor pc = be.contiguous(p); Backend.LayerNormResult last = be.layerNorm(pc, g, b, 1e-6f);
        Tensor back = be.permute(last.y(), 0, 3, 1, 2)) {
      Compare.assertClose("layer norm over axis 1", back.toFloats(), direct.y(), 1e-6);
      assertArrayEquals(new long[] {2, 1, 3, 4}, direct.mean().shape());
    }
  }

  @Test
  void attentionMasks() {
    try (Tensor causal = AttentionMasks.causal(be, new long[] {1, 1, 0}, 1, 3);
        Tensor pad = AttentionMasks.keyPadding(be, new long[] {1, 0, 1}, 1, 3)) {
      float x = AttentionMasks.EXCLUDED;
      assertArrayEquals(new float[] {0, x, x, 0, 0, x, 0, 0, x}, causal.toFloats());
      assertArrayEquals(new long[] {1, 1, 1, 3}, pad.shape());
      assertArrayEquals(new float[] {0, x, 0}, pad.toFloats());
    }
  }

  @Test
  void attentionWithAdditiveMask() {
    long bt = 2, h = 2, tq = 3, tk = 4, d = 5;
    try (Tensor q = randn(bt, h, tq, d); Tensor k = randn(bt, h, tk, d); Tensor v = randn(bt, h, tk, d)) {
      float[] mask = new float[(int) (bt * tk)];
      mask[3] = Float.NEGATIVE_INFINITY; // batch 0 ignores its last key
      try (Tensor m = be.fromFloats(mask, bt, 1, 1, tk);
          Backend.AttentionResult r = be.attention(q, k, v, m, 0.4f)) {
        float[] qv = q.toFloats(), kv = k.toFloats(), vv = v.toFloats();
        double[] ref = new double[(int) (bt * h * tq * d)];
        for (int b = 0; b < bt; b++)
          for (int hh = 0; hh < h; hh++)
            for (int i = 0; i < tq; i++) {
              double[] s = new double[(int) tk];
              double max = Double.NEGATIVE_INFINITY, z = 0;
              for (int j = 0; j < tk; j++) {
                for (int e = 0; e < d; e++)
                  s[j] += qv[(int) ((((b * h + hh) * tq + i) * d) + e)] * kv[(int) ((((b * h + hh) * tk + j) * d) + e)];
                s[j] = s[j] * 0.4 + mask[(int) (b * tk + j)];
                max = Math.max(max, s[j]);
              }
              for (int j = 0; j < tk; j++) z += s[j] = Math.exp(s[j] - max);
              for (int e = 0; e < d; e++) {
                double o = 0;
                for (int j = 0; j < tk; j++) o += s[j] / z * vv[(int) ((((b * h + hh) * tk + j) * d) + e)];
                ref[(int) ((((b * h + hh) * tq + i) * d) + e)] = o;
              }
            }
        close("attention", ref, r.out());
      }
    }
  }

  /** Naive PyTorch conv2d (zero padding, groups). */
  static double[] convRef(float[] x, long[] xs, float[] w, long[] ws, float[] bias, Conv2dSpec s, long[] outShape) {
    long bn = xs[0], c = xs[1], hh = xs[2], ww = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
    long oh = s.outH(hh, kh), ow = s.outW(ww, kw), og = o / s.groups();
    outShape[0] = bn;
    outShape[1] = o;
    outShape[2] = oh;
    outShape[3] = ow;
    double[] out = new double[(int) (bn * o * oh * ow)];
    for (int b = 0; b < bn; b++)
      for (int oc = 0; oc < o; oc++)
        for (int y = 0; y < oh; y++)
          for (int xx = 0; xx < ow; xx++) {
            double acc = bias == null ? 0 : bias[oc];
            long grp = oc / og;
            for (int ci = 0; ci < cg; ci++)
              for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++) {
                  long yy = (long) y * s.strideH() - s.padH() + (long) i * s.dilationH();
                  long xw = (long) xx * s.strideW() - s.padW() + (long) j * s.dilationW();
                  if (yy < 0 || yy >= hh || xw < 0 || xw >= ww) continue;
                  acc += x[idx(xs, b, grp * cg + ci, yy, xw)] * w[idx(ws, oc, ci, i, j)];
                }
            out[idx(new long[] {bn, o, oh, ow}, b, oc, y, xx)] = acc;
          }
    return out;
  }

  @Test
  void convolutionsAgainstTheDefinition() {
    Object[][] cases = {
        {new long[] {2, 3, 7, 6}, new long[] {4, 3, 3, 3}, Conv2dSpec.of(2, 1)},
        {new long[] {1, 4, 5, 5}, new long[] {4, 1, 3, 3}, Conv2dSpec.of(1, 1, 4)},
        {new long[] {1, 4, 6, 6}, new long[] {4, 1, 3, 3}, Conv2dSpec.of(2, 1, 4)},
        {new long[] {1, 4, 5, 4}, new long[] {6, 2, 3, 3}, Conv2dSpec.of(1, 1, 2)},
        {new long[] {2, 3, 5, 4}, new long[] {2, 3, 2, 2}, Conv2dSpec.of(2, 0)},
        {new long[] {1, 2, 7, 7}, new long[] {3, 2, 3, 3}, new Conv2dSpec(1, 2, 2, 1, 2, 1, 1)},
        {new long[] {1, 3, 4, 4}, new long[] {5, 3, 1, 1}, Conv2dSpec.of(1, 0)},
    };
    for (Object[] c : cases) {
      long[] xs = (long[]) c[0], ws = (long[]) c[1];
      Conv2dSpec spec = (Conv2dSpec) c[2];
      try (Tensor x = randn(xs); Tensor w = randn(ws); Tensor b = randn(ws[0]);
          Tensor y = be.conv2d(x, w, b, spec)) {
        long[] os = new long[4];
        double[] ref = convRef(x.toFloats(), xs, w.toFloats(), ws, b.toFloats(), spec, os);
        assertArrayEquals(os, y.shape(), "conv output shape " + spec);
        close("conv2d " + spec + " w" + java.util.Arrays.toString(ws), ref, y);
      }
    }
  }

  @Test
  void transposedConvolutionAgainstTheDefinition() {
    // torch ConvTranspose2d: out[o, y·s − p + i, x·s − p + j] += in[c, y, x]·W[c, o, i, j]
    for (int[] kp : new int[][] {{2, 2, 0}, {4, 2, 1}, {3, 1, 1}}) {
      int k = kp[0], s = kp[1], p = kp[2];
      long[] xs = {2, 3, 3, 4};
      long[] ws = {3, 2, k, k};
      long oh = (xs[2] - 1) * s - 2L * p + k, ow = (xs[3] - 1) * s - 2L * p + k;
      long[] os = {2, 2, oh, ow};
      try (Tensor x = randn(xs); Tensor w = randn(ws);
          Tensor y = be.conv2dBackwardInput(x, w, os, Conv2dSpec.of(s, p))) {
        float[] xv = x.toFloats(), wv = w.toFloats();
        double[] ref = new double[(int) (2 * 2 * oh * ow)];
        for (int b = 0; b < 2; b++)
          for (int ci = 0; ci < 3; ci++)
            for (int yy = 0; yy < xs[2]; yy++)
              for (int xx = 0; xx < xs[3]; xx++)
                for (int o = 0; o < 2; o++)
                  for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++) {
                      long ty = (long) yy * s - p + i, tx = (long) xx * s - p + j;
                      if (ty < 0 || ty >= oh || tx < 0 || tx >= ow) continue;
                      ref[idx(os, b, o, ty, tx)] += xv[idx(xs, b, ci, yy, xx)] * wv[idx(ws, ci, o, i, j)];
                    }
        close("conv transpose k" + k + " s" + s + " p" + p, ref, y);
      }
    }
  }

  @Test
  void bilinearResizeAlignCorners() {
    int[][] sizes = {{3, 4, 7, 9}, {7, 5, 3, 2}, {4, 4, 1, 1}, {1, 3, 4, 5}, {24, 24, 128, 128}};
    for (int[] sz : sizes) {
      int ih = sz[0], iw = sz[1], oh = sz[2], ow = sz[3];
      try (Tensor x = randn(2, 3, ih, iw); Tensor y = be.resizeBilinear(x, oh, ow)) {
        float[] v = x.toFloats();
        double[] ref = new double[2 * 3 * oh * ow];
        float sh = oh > 1 ? (float) (ih - 1) / (oh - 1) : 0f, sw = ow > 1 ? (float) (iw - 1) / (ow - 1) : 0f;
        for (int p = 0; p < 6; p++)
          for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
              float syf = sh * i, sxf = sw * j;
              int y0 = (int) syf, x0 = (int) sxf, y1 = Math.min(y0 + 1, ih - 1), x1 = Math.min(x0 + 1, iw - 1);
              double ly = syf - y0, lx = sxf - x0;
              double top = (1 - lx) * v[(p * ih + y0) * iw + x0] + lx * v[(p * ih + y0) * iw + x1];
              double bot = (1 - lx) * v[(p * ih + y1) * iw + x0] + lx * v[(p * ih + y1) * iw + x1];
              ref[(p * oh + i) * ow + j] = (1 - ly) * top + ly * bot;
            }
        close("resize " + ih + "x" + iw + "->" + oh + "x" + ow, ref, y);
        // backward is the adjoint: <resize(x), r> == <x, resizeBackward(r)>
        float[] r = GradCheck.randn(rng, ref.length, 1);
        try (Tensor rt = be.fromFloats(r, y.shape()); Tensor back = be.resizeBilinearBackward(rt, ih, iw)) {
          assertEquals(GradCheck.dot(y.toFloats(), r), GradCheck.dot(v, back.toFloats()), 1e-3, "resize adjoint");
        }
      }
    }
  }

  @Test
  void pixelShuffleAndPadding() {
    long[] xs = {2, 3, 4, 6};
    try (Tensor x = randn(xs); Tensor u = be.pixelUnshuffle(x, 2); Tensor back = be.pixelShuffle(u, 2)) {
      long[] us = {2, 12, 2, 3};
      assertArrayEquals(us, u.shape());
      float[] v = x.toFloats(), uv = u.toFloats();
      for (int b = 0; b < 2; b++)
        for (int c = 0; c < 3; c++)
          for (int y = 0; y < 2; y++)
            for (int xx = 0; xx < 3; xx++)
              for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                  assertEquals(v[idx(xs, b, c, 2 * y + i, 2 * xx + j)], uv[idx(us, b, c * 4 + 2 * i + j, y, xx)],
                      "unshuffle out[b, c·4 + 2i + j, y, x] = in[b, c, 2y + i, 2x + j]");
      assertArrayEquals(v, back.toFloats(), "shuffle inverts unshuffle");
    }
    try (Tensor x = randn(1, 2, 3, 4); Tensor p = be.padReplicate(x, 1)) {
      assertArrayEquals(new long[] {1, 2, 5, 6}, p.shape());
      float[] v = x.toFloats(), pv = p.toFloats();
      for (int c = 0; c < 2; c++)
        for (int y = 0; y < 5; y++)
          for (int xx = 0; xx < 6; xx++) {
            int sy = Math.min(Math.max(y - 1, 0), 2), sx = Math.min(Math.max(xx - 1, 0), 3);
            assertEquals(v[(c * 3 + sy) * 4 + sx], pv[(c * 5 + y) * 6 + xx], "replication pad");
          }
    }
  }

  @Test
  void gatherAndScatterRows() {
    try (Tensor table = randn(5, 3); Tensor rows = be.gatherRows(table, new int[] {4, 0, 4});
        Tensor acc = be.zeros(5, 3); Tensor src = be.fromFloats(new float[] {1, 1, 1, 2, 2, 2, 3, 3, 3}, 3, 3)) {
      float[] t = table.toFloats(), r = rows.toFloats();
      for (int j = 0; j < 3; j++) {
        assertEquals(t[12 + j], r[j]);
        assertEquals(t[j], r[3 + j]);
        assertEquals(t[12 + j], r[6 + j]);
      }
      be.scatterAddRows(acc, new int[] {4, 0, 4}, src);
      assertArrayEquals(new float[] {2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4}, acc.toFloats());
      assertThrows(IllegalArgumentException.class, () -> be.gatherRows(table, new int[] {5}));
    }
  }

  @Test
  void sgdMatchesTorchFormula() {
    try (Tensor p = randn(4); Tensor g = randn(4); Tensor buf = be.zeros(4)) {
      float[] p0 = p.toFloats(), g0 = g.toFloats();
      be.sgdStep(p, g, buf, 0.1, 0.9, 0.01, true);
      be.sgdStep(p, g, buf, 0.1, 0.9, 0.01, false);
      float[] p2 = p.toFloats();
      for (int i = 0; i < 4; i++) {
        double d1 = g0[i] + 0.01 * p0[i], b1 = d1, p1 = p0[i] - 0.1 * b1;
        double d2 = g0[i] + 0.01 * p1, b2 = 0.9 * b1 + d2;
        assertEquals(p1 - 0.1 * b2, p2[i], 1e-6);
      }
    }
  }
}
