package org.cascadetuner.common.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cascadetuner.common.io.TensorInfo;
import org.cascadetuner.common.io.TensorSource;

/**
 * The seam between models and a tensor library: whole-tensor float32 operations. Layers and models call only these;
 * a backend (ND4J CPU, CUDA) implements them. Every method returning a {@link Tensor} returns a new handle the caller
 * must close; arguments are never closed. Shapes follow PyTorch: NCHW images, Linear weights [out, in], conv weights
 * [out, in/groups, kh, kw], elementwise arithmetic with numpy broadcasting.
 *
 * <p>Default methods are compositions of the abstract ones, checked once and inherited by every backend; a backend
 * may override them with a fused kernel.
 */
public interface Backend {

  /** The name it is found by ({@link Backends#get}). */
  String name();

  /** Tensor storages currently allocated through this backend (not yet released by closing every handle). */
  long liveTensors();

  /** Bytes of those storages. */
  long liveBytes();

  // ---------------------------------------------------------------- creation and host transfer

  Tensor zeros(long... shape);

  Tensor full(float value, long... shape);

  /** A tensor holding {@code data} (row-major); {@code data.length} must equal the shape's element count. */
  Tensor fromFloats(float[] data, long... shape);

  /** Row-major host copy of any tensor, view or not. */
  float[] toFloats(Tensor t);

  /** Overwrites {@code dst} (which may be a view) with host data in row-major order. */
  void write(Tensor dst, float[] data);

  /** A tensor from a checkpoint entry, widened to float32 (F16/BF16 stored weights). */
  default Tensor load(TensorSource source, String name) {
    TensorInfo info = source.info(name);
    return fromFloats(source.floats(name), info.shape());
  }

  /** A fresh contiguous copy. */
  Tensor copy(Tensor t);

  /** {@code dst := src} elementwise; {@code src} broadcasts to {@code dst}'s shape; {@code dst} may be a view. */
  void assign(Tensor dst, Tensor src);

  void fill(Tensor dst, float value);

  // ---------------------------------------------------------------- views and layout

  /** Same elements in a new shape (one dimension may be -1). A view when {@code t} is contiguous, else a copy. */
  Tensor reshape(Tensor t, long... shape);

  /** Axes reordered (a view): result axis i is input axis {@code axes[i]}. */
  Tensor permute(Tensor t, int... axes);

  /** A contiguous row-major tensor with the same contents (a new handle on {@code t} when already contiguous). */
  Tensor contiguous(Tensor t);

  /** Elements {@code start..end-1} along {@code axis} (a view). */
  Tensor slice(Tensor t, int axis, long start, long end);

  /** Concatenation along {@code axis} (a copy). */
  Tensor concat(int axis, Tensor... parts);

  /** Consecutive views of the given sizes along {@code axis}; the sizes must add up to the axis length. */
  default List<Tensor> split(Tensor t, int axis, long... sizes) {
    int a = Tensor.axis(axis, t.rank());
    long total = Arrays.stream(sizes).sum();
    if (total != t.size(a))
      throw new IllegalArgumentException("split sizes " + Arrays.toString(sizes) + " do not add up to axis " + a
          + " of shape " + Tensor.describe(t.shape()));
    List<Tensor> out = new ArrayList<>(sizes.length);
    long at = 0;
    for (long s : sizes) {
      out.add(slice(t, a, at, at + s));
      at += s;
    }
    return out;
  }

  /** {@code n} equal consecutive views along {@code axis} (torch.chunk with an exact division). */
  default List<Tensor> chunk(Tensor t, int axis, int n) {
    long len = t.size(axis);
    if (len % n != 0) throw new IllegalArgumentException("axis of length " + len + " does not split into " + n);
    long[] sizes = new long[n];
    Arrays.fill(sizes, len / n);
    return split(t, axis, sizes);
  }

  // ---------------------------------------------------------------- GEMM

  /**
   * Batched matrix product: {@code a} [..., M, K] (or [..., K, M] with {@code transA}), {@code b} [..., K, N] (or
   * [..., N, K] with {@code transB}); the batch dimensions of {@code a} and {@code b} are equal, or {@code b} is 2-D
   * and shared by every batch entry.
   */
  Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB);

  default Tensor matmul(Tensor a, Tensor b) {
    return matmul(a, b, false, false);
  }

  /** 2-D GEMM into an existing contiguous tensor: {@code c := alpha·op(a)·op(b) + beta·c}. */
  void gemm(Tensor c, Tensor a, Tensor b, boolean transA, boolean transB, float alpha, float beta);

  /** {@code x·Wᵀ + b} on the last axis: x [..., in], w [out, in], bias [out] or null → [..., out]. */
  default Tensor linear(Tensor x, Tensor w, Tensor bias) {
    long in = x.size(-1);
    long[] shape = x.shape();
    try (Tensor x2 = reshape(x, -1, in); Tensor y2 = matmul(x2, w, false, true)) {
      if (bias != null) addInPlace(y2, bias);
      shape[shape.length - 1] = w.size(0);
      return reshape(y2, shape);
    }
  }

  // ---------------------------------------------------------------- elementwise (numpy broadcasting)

  Tensor add(Tensor a, Tensor b);

  Tensor sub(Tensor a, Tensor b);

  Tensor mul(Tensor a, Tensor b);

  Tensor div(Tensor a, Tensor b);

  /** {@code a + s}. */
  Tensor add(Tensor a, float s);

  /** {@code a · s}. */
  Tensor mul(Tensor a, float s);

  /** {@code a^p} elementwise. */
  Tensor pow(Tensor a, float p);

  /** Clamps into [lo, hi]. */
  Tensor clamp(Tensor a, float lo, float hi);

  Tensor map(Unary f, Tensor x);

  /** {@code dst += src} ({@code src} broadcasts to {@code dst}). */
  void addInPlace(Tensor dst, Tensor src);

  /** {@code dst += alpha·src} (same shapes). */
  void addScaledInPlace(Tensor dst, Tensor src, float alpha);

  /** {@code dst ·= src} ({@code src} broadcasts to {@code dst}). */
  void mulInPlace(Tensor dst, Tensor src);

  /** {@code dst ·= s}. */
  void scaleInPlace(Tensor dst, float s);

  default Tensor exp(Tensor x) {
    return map(Unary.EXP, x);
  }

  default Tensor log(Tensor x) {
    return map(Unary.LOG, x);
  }

  default Tensor sqrt(Tensor x) {
    return map(Unary.SQRT, x);
  }

  default Tensor sin(Tensor x) {
    return map(Unary.SIN, x);
  }

  default Tensor cos(Tensor x) {
    return map(Unary.COS, x);
  }

  default Tensor gelu(Tensor x) {
    return map(Unary.GELU, x);
  }

  default Tensor silu(Tensor x) {
    return map(Unary.SILU, x);
  }

  default Tensor sigmoid(Tensor x) {
    return map(Unary.SIGMOID, x);
  }

  /** dL/dx of exact GELU: {@code dy·(Φ(x) + x·φ(x))}. */
  Tensor geluBackward(Tensor x, Tensor dy);

  /** dL/dx of SiLU: {@code dy·s(x)·(1 + x·(1 − s(x)))}. */
  Tensor siluBackward(Tensor x, Tensor dy);

  /** dL/dx of the sigmoid, from its output y: {@code dy·y·(1 − y)}. */
  default Tensor sigmoidBackward(Tensor y, Tensor dy) {
    try (Tensor oneMinus = mul(y, -1f); Tensor om = add(oneMinus, 1f); Tensor d = mul(y, om)) {
      return mul(d, dy);
    }
  }

  // ---------------------------------------------------------------- reductions

  Tensor sum(Tensor x, boolean keepDims, int... axes);

  Tensor mean(Tensor x, boolean keepDims, int... axes);

  Tensor max(Tensor x, boolean keepDims, int... axes);

  /** Σ x² over every element, accumulated in double (gradient-norm clipping, tests). */
  double sumOfSquares(Tensor x);

  /**
   * The gradient of a broadcast: sums {@code g} over the axes along which {@code shape} was broadcast to
   * {@code g}'s shape (leading missing axes, and axes where {@code shape} has 1). Returns a tensor of {@code shape}.
   */
  default Tensor sumTo(Tensor g, long... shape) {
    long[] gs = g.shape();
    if (Arrays.equals(gs, shape)) return g.retain();
    int lead = gs.length - shape.length;
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < gs.length; i++) {
      if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) axes.add(i);
    }
    try (Tensor s = sum(g, true, axes.stream().mapToInt(Integer::intValue).toArray())) {
      return reshape(s, shape);
    }
  }

  // ---------------------------------------------------------------- normalisation, softmax, attention

  /** Result of {@link #layerNorm}: output, and per-row mean and 1/sqrt(var + eps) (shape [..., 1]) for backward. */
  record LayerNormResult(Tensor y, Tensor mean, Tensor rstd) implements AutoCloseable {
    @Override
    public void close() {
      y.close();
      mean.close();
      rstd.close();
    }
  }

  /** Gradients of {@link #layerNorm}; {@code dGamma}/{@code dBeta} are null without affine parameters. */
  record LayerNormGrads(Tensor dx, Tensor dGamma, Tensor dBeta) {}

  /** LayerNorm over the last axis (biased variance), optional affine {@code gamma}, {@code beta} of [C]. */
  default LayerNormResult layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    return layerNorm(x, -1, gamma, beta, eps);
  }

  default LayerNormGrads layerNormBackward(Tensor dy, Tensor x, Tensor mean, Tensor rstd, Tensor gamma,
      boolean needBeta) {
    return layerNormBackward(dy, x, mean, rstd, gamma, needBeta, -1);
  }

  /**
   * LayerNorm over one axis (e.g. axis 1 of NCHW: the channels of every pixel, Stable Cascade's LayerNorm2d, without
   * permuting). {@code gamma}/{@code beta} are [C] or null; mean and rstd keep the axis with size 1.
   */
  LayerNormResult layerNorm(Tensor x, int axis, Tensor gamma, Tensor beta, float eps);

  /** Backward of {@link #layerNorm(Tensor, int, Tensor, Tensor, float)}; dGamma/dBeta are [C]. */
  LayerNormGrads layerNormBackward(Tensor dy, Tensor x, Tensor mean, Tensor rstd, Tensor gamma, boolean needBeta,
      int axis);

  /** Softmax over the last axis. */
  Tensor softmax(Tensor x);

  /** dL/dx of the last-axis softmax from its output y: {@code y·(dy − Σ dy·y)}. */
  default Tensor softmaxBackward(Tensor y, Tensor dy) {
    try (Tensor p = mul(dy, y); Tensor s = sum(p, true, -1); Tensor d = sub(dy, s)) {
      return mul(d, y);
    }
  }

  /** Result of {@link #attention}: output [B,H,Tq,D] and the probabilities [B,H,Tq,Tk] backward needs. */
  record AttentionResult(Tensor out, Tensor probs) implements AutoCloseable {
    @Override
    public void close() {
      out.close();
      probs.close();
    }
  }

  record AttentionGrads(Tensor dq, Tensor dk, Tensor dv) {}

  /**
   * Scaled dot-product attention: {@code softmax(q·kᵀ·scale + mask)·v} with q [B,H,Tq,D], k and v [B,H,Tk,D] and an
   * additive mask broadcastable to [B,H,Tq,Tk] (−∞ excludes a key) or null.
   */
  default AttentionResult attention(Tensor q, Tensor k, Tensor v, Tensor mask, float scale) {
    Tensor probs;
    try (Tensor s = matmul(q, k, false, true)) {
      scaleInPlace(s, scale);
      if (mask != null) addInPlace(s, mask);
      probs = softmax(s);
    }
    return new AttentionResult(matmul(probs, v), probs);
  }

  default AttentionGrads attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, float scale) {
    Tensor dv = matmul(probs, dOut, true, false);
    Tensor ds;
    try (Tensor dp = matmul(dOut, v, false, true)) {
      ds = softmaxBackward(probs, dp);
    }
    try (ds) {
      scaleInPlace(ds, scale);
      return new AttentionGrads(matmul(ds, k), matmul(ds, q, true, false), dv);
    }
  }

  // ---------------------------------------------------------------- convolution

  /** Gradients of {@link #conv2d}; entries not asked for are null. */
  record ConvGrads(Tensor dx, Tensor dw, Tensor db) {}

  /** 2-D convolution, x [B,C,H,W], w [O, C/groups, kh, kw], bias [O] or null. */
  Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec);

  /** Both backward halves of {@link #conv2d} in one call; {@code db} is computed iff {@code needBias}. */
  ConvGrads conv2dBackward(Tensor dy, Tensor x, Tensor w, Conv2dSpec spec, boolean needInput, boolean needWeight,
      boolean needBias);

  /**
   * dL/dx of {@link #conv2d} alone, for an input of {@code inputShape} (this is also the forward of a transposed
   * convolution whose weight is {@code w} read as [in, out, kh, kw]).
   */
  Tensor conv2dBackwardInput(Tensor dy, Tensor w, long[] inputShape, Conv2dSpec spec);

  /**
   * Transposed convolution (torch ConvTranspose2d, groups 1): x [B, in, H, W], w [in, out, kh, kw] as PyTorch stores
   * it, output side (H−1)·stride − 2·padding + dilation·(k−1) + 1 + outputPadding. It is {@link #conv2dBackwardInput}
   * with the same weight; its backward is {@link #conv2d} (input) and {@link #conv2dBackward} with the roles of x and
   * dy swapped (weight).
   */
  default Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, Conv2dSpec spec, int outputPadding) {
    long kh = w.size(2), kw = w.size(3);
    long[] out = {x.size(0), w.size(1),
        (x.size(2) - 1) * spec.strideH() - 2L * spec.padH() + spec.dilationH() * (kh - 1) + 1 + outputPadding,
        (x.size(3) - 1) * spec.strideW() - 2L * spec.padW() + spec.dilationW() * (kw - 1) + 1 + outputPadding};
    Tensor y = conv2dBackwardInput(x, w, out, spec);
    if (bias != null) {
      try (Tensor b = reshape(bias, 1, -1, 1, 1)) {
        addInPlace(y, b);
      }
    }
    return y;
  }

  // ---------------------------------------------------------------- gather / scatter, resize, randomness

  /** Rows {@code ids} of a 2-D table → [ids.length, D]. */
  Tensor gatherRows(Tensor table, int[] ids);

  /** {@code dst[ids[i]] += src[i]} for a 2-D {@code dst} and src [ids.length, D]; repeated ids accumulate. */
  void scatterAddRows(Tensor dst, int[] ids, Tensor src);

  /** A mask of the given shape holding 0 with probability p and 1/(1−p) otherwise (inverted dropout). */
  Tensor dropoutMask(long seed, float p, long... shape);

  /**
   * Bilinear resize of the last two axes with align_corners=True (torch F.interpolate semantics, no antialias),
   * computed as two GEMMs with interpolation matrices.
   */
  default Tensor resizeBilinear(Tensor x, int outH, int outW) {
    long inH = x.size(-2), inW = x.size(-1);
    try (Tensor rh = fromFloats(Interpolation.alignCorners((int) inH, outH), outH, inH);
        Tensor rw = fromFloats(Interpolation.alignCorners((int) inW, outW), outW, inW);
        Tensor t = matmul(x, rw, false, true); // [..., inH, outW]
        Tensor tt = permute(t, swapLast(t.rank()));
        Tensor u = matmul(tt, rh, false, true); // [..., outW, outH]
        Tensor ut = permute(u, swapLast(u.rank()))) {
      return contiguous(ut);
    }
  }

  /** dL/dx of {@link #resizeBilinear} for an input of spatial size inH × inW. */
  default Tensor resizeBilinearBackward(Tensor dy, int inH, int inW) {
    int outH = (int) dy.size(-2), outW = (int) dy.size(-1);
    try (Tensor rh = fromFloats(Interpolation.alignCorners(inH, outH), outH, inH);
        Tensor rw = fromFloats(Interpolation.alignCorners(inW, outW), outW, inW);
        Tensor t = matmul(dy, rw); // [..., outH, inW]
        Tensor tt = permute(t, swapLast(t.rank()));
        Tensor u = matmul(tt, rh); // [..., inW, inH]
        Tensor ut = permute(u, swapLast(u.rank()))) {
      return contiguous(ut);
    }
  }

  private static int[] swapLast(int rank) {
    int[] p = new int[rank];
    for (int i = 0; i < rank; i++) p[i] = i;
    p[rank - 2] = rank - 1;
    p[rank - 1] = rank - 2;
    return p;
  }

  /** PyTorch PixelShuffle(r): [B, C·r², H, W] → [B, C, H·r, W·r]. */
  default Tensor pixelShuffle(Tensor x, int r) {
    long b = x.size(0), c = x.size(1) / ((long) r * r), h = x.size(2), w = x.size(3);
    try (Tensor v = reshape(x, b, c, r, r, h, w); Tensor p = permute(v, 0, 1, 4, 2, 5, 3); Tensor pc = contiguous(p)) {
      return reshape(pc, b, c, h * r, w * r);
    }
  }

  /** PyTorch PixelUnshuffle(r): [B, C, H·r, W·r] → [B, C·r², H, W]. */
  default Tensor pixelUnshuffle(Tensor x, int r) {
    long b = x.size(0), c = x.size(1), h = x.size(2) / r, w = x.size(3) / r;
    try (Tensor v = reshape(x, b, c, h, r, w, r); Tensor p = permute(v, 0, 1, 3, 5, 2, 4); Tensor pc = contiguous(p)) {
      return reshape(pc, b, c * r * r, h, w);
    }
  }

  /** Replication padding of the last two axes (torch ReplicationPad2d) by {@code pad} on every side. */
  default Tensor padReplicate(Tensor x, int pad) {
    if (pad == 0) return x.retain();
    Tensor rows = padAxis(x, x.rank() - 2, pad);
    try (rows) {
      return padAxis(rows, rows.rank() - 1, pad);
    }
  }

  private Tensor padAxis(Tensor x, int axis, int pad) {
    long n = x.size(axis);
    Tensor[] parts = new Tensor[2 * pad + 1];
    for (int i = 0; i < pad; i++) {
      parts[i] = slice(x, axis, 0, 1);
      parts[pad + 1 + i] = slice(x, axis, n - 1, n);
    }
    parts[pad] = x.retain();
    try {
      return concat(axis, parts);
    } finally {
      for (Tensor p : parts) p.close();
    }
  }

  // ---------------------------------------------------------------- optimizer updates (in place)

  /** torch.optim.AdamW hyper-parameters. */
  record AdamW(double lr, double beta1, double beta2, double eps, double weightDecay) {}

  /**
   * One AdamW step in place on {@code param}, {@code m}, {@code v}, exactly as torch.optim.AdamW (single-tensor):
   * decoupled decay {@code p ·= 1 − lr·wd}; {@code m = lerp(m, g, 1 − β1)}; {@code v = β2·v + (1 − β2)·g²};
   * {@code p −= (lr / (1 − β1^t))·m / (sqrt(v) / sqrt(1 − β2^t) + eps)}. {@code step} counts from 1.
   */
  void adamwStep(Tensor param, Tensor grad, Tensor m, Tensor v, AdamW h, long step);

  /**
   * One SGD step in place as torch.optim.SGD (dampening 0, no Nesterov): {@code d = g + wd·p}; with momentum
   * {@code buf = momentum·buf + d} (the first step sets {@code buf = d}); {@code p −= lr·(buf or d)}.
   * {@code momentumBuf} may be null when momentum is 0.
   */
  void sgdStep(Tensor param, Tensor grad, Tensor momentumBuf, double lr, double momentum, double weightDecay,
      boolean firstStep);
}
