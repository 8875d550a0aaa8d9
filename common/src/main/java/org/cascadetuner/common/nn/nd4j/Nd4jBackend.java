package org.cascadetuner.common.nn.nd4j;

import java.util.Arrays;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Conv2dSpec;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.Unary;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The reference backend: ND4J 1.0.0-M2.1 on CPU (nd4j-native, OpenBLAS GEMM). Every op was checked against goldens
 * or finite differences (see the tests of this package); where ND4J's op of the same name computes something else
 * (GELU, PreciseGELU) the op is composed from ones that are right (Erf).
 *
 * <p>Threads: libnd4j sizes its OpenMP pool from {@code OMP_NUM_THREADS} (default: all cores). Nothing is changed
 * here unless the system property {@value #THREADS_PROPERTY} is set, which caps both ND4J's master and worker
 * threads. Under Spark, set {@code spark.executorEnv.OMP_NUM_THREADS} to the executor's cores. On an oversubscribed
 * machine OpenMP barriers make small ops 10-100x slower; the unit tests therefore run with one thread.
 *
 * <p>Memory: every array this class allocates is owned by exactly one {@link Nd4jTensor.Storage} (or closed before
 * returning), so native buffers are freed when the last handle closes, not by the GC. ND4J's views (permute, reshape,
 * get) still allocate small native shape descriptors that only the GC reclaims: tens of KiB per training step of a
 * small model, bounded by the young-generation GC cycle. Custom ops run with an explicit, closed {@code OpContext}.
 */
public final class Nd4jBackend implements Backend {

  public static final String NAME = "cpu";
  public static final String THREADS_PROPERTY = "cascadetuner.threads";

  private static final DataType F = DataType.FLOAT;
  private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
  private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

  public Nd4jBackend() {
    String threads = System.getProperty(THREADS_PROPERTY);
    if (threads != null && !threads.isBlank()) {
      int n = Integer.parseInt(threads.trim());
      Nd4j.getEnvironment().setMaxThreads(n);
      Nd4j.getEnvironment().setMaxMasterThreads(n);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public long liveTensors() {
    return Nd4jTensor.Storage.LIVE_COUNT.get();
  }

  @Override
  public long liveBytes() {
    return Nd4jTensor.Storage.LIVE_BYTES.get();
  }

  /** Allocation sites of the open storages, when run with -Dcascadetuner.trackTensors=true (empty otherwise). */
  public static java.util.List<Throwable> openAllocations() {
    return Nd4jTensor.Storage.TRACKED == null ? java.util.List.of()
        : java.util.List.copyOf(Nd4jTensor.Storage.TRACKED.values());
  }

  @Override
  public String toString() {
    return "nd4j-native CPU backend (" + Nd4j.getEnvironment().maxThreads() + " threads)";
  }

  // ---------------------------------------------------------------- plumbing

  INDArray arr(Tensor t) {
    if (!(t instanceof Nd4jTensor n))
      throw new IllegalArgumentException("tensor of backend " + t.backend().name() + " passed to backend " + NAME);
    n.checkOpen();
    return n.array;
  }

  private Nd4jTensor own(INDArray a) {
    return Nd4jTensor.owning(this, a);
  }

  /** A tensor on {@code view} that owns {@code root}, the fresh allocation the view was taken of. */
  private Nd4jTensor own(INDArray root, INDArray view) {
    if (view == root) return own(root);
    if (!sharesMemory(view, root)) {
      if (root.closeable()) root.close();
      return own(view);
    }
    Nd4jTensor owner = own(root);
    Nd4jTensor t = owner.view(view);
    owner.close();
    return t;
  }

  /** Whether {@code view}'s elements lie in {@code base}'s allocation (ND4J returns copies where it must). */
  private static boolean sharesMemory(INDArray view, INDArray base) {
    long v = view.data().addressPointer().address(), b = base.data().addressPointer().address();
    return v >= b && v < b + Math.max(1, base.data().length()) * base.data().getElementSize();
  }

  /** A handle on a view ND4J produced from {@code t}: shared storage when it is one, its own when ND4J copied. */
  private Nd4jTensor viewOf(Tensor t, INDArray view) {
    Nd4jTensor n = (Nd4jTensor) t;
    return sharesMemory(view, n.storage.root) ? n.view(view) : own(view);
  }

  private static boolean isContiguous(INDArray a) {
    long[] shape = a.shape();
    long[] stride = a.stride();
    long expect = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expect) return false;
      expect *= shape[i];
    }
    return true;
  }

  /** {@code a} itself when contiguous row-major, else a row-major copy (which the caller must close). */
  private static INDArray dense(INDArray a) {
    return isContiguous(a) ? a : a.dup('c');
  }

  private static void closeIfCopy(INDArray copy, INDArray original) {
    if (copy != original && copy.closeable()) copy.close();
  }

  private static int[] axes(int[] axes, int rank) {
    if (axes.length == 0) {
      int[] all = new int[rank];
      for (int i = 0; i < rank; i++) all[i] = i;
      return all;
    }
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) out[i] = Tensor.axis(axes[i], rank);
    return out;
  }

  static long[] broadcastShape(long[] a, long[] b) {
    int r = Math.max(a.length, b.length);
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      long x = i < r - a.length ? 1 : a[i - (r - a.length)];
      long y = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (x != y && x != 1 && y != 1)
        throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
            + " do not broadcast");
      out[i] = x == 1 ? y : x;
    }
    return out;
  }

  static INDArray exec(String op, INDArray[] in, INDArray[] out, int[] iargs, double... targs) {
    DynamicCustomOp custom = DynamicCustomOp.builder(op).build();
    // an explicit context, closed here: its native argument buffers are freed now, not when the GC gets to them
    try (OpContext ctx = Nd4j.getExecutioner().buildContext()) {
      if (iargs != null && iargs.length > 0) ctx.setIArguments(java.util.Arrays.stream(iargs).asLongStream().toArray());
      if (targs != null && targs.length > 0) ctx.setTArguments(targs);
      ctx.setInputArrays(in);
      ctx.setOutputArrays(out);
      Nd4j.exec(custom, ctx);
    } catch (Exception e) {
      if (e instanceof RuntimeException r) throw r;
      throw new IllegalStateException(op + ": " + e.getMessage(), e);
    }
    return out.length > 0 ? out[0] : null;
  }

  /** Binary op with numpy broadcasting through libnd4j's broadcastable custom ops. */
  private Tensor binary(String op, Tensor ta, Tensor tb) {
    INDArray a = arr(ta), b = arr(tb);
    long[] shape = broadcastShape(a.shape(), b.shape());
    INDArray out = Nd4j.createUninitialized(F, shape);
    exec(op, new INDArray[] {a, b}, new INDArray[] {out}, null);
    return own(out);
  }

  private void binaryInPlace(String op, Tensor tdst, Tensor tsrc) {
    INDArray d = arr(tdst), s = arr(tsrc);
    if (!Arrays.equals(broadcastShape(d.shape(), s.shape()), d.shape()))
      throw new IllegalArgumentException("in-place " + op + ": " + Arrays.toString(s.shape())
          + " does not broadcast to " + Arrays.toString(d.shape()));
    if (Arrays.equals(d.shape(), s.shape())) {
      switch (op) {
        case "add" -> d.addi(s);
        case "multiply" -> d.muli(s);
        default -> throw new IllegalArgumentException(op);
      }
      return;
    }
    INDArray target = dense(d);
    exec(op, new INDArray[] {target, s}, new INDArray[] {target}, null);
    if (target != d) {
      d.assign(target);
      closeIfCopy(target, d);
    }
  }

  // ---------------------------------------------------------------- creation and host transfer

  @Override
  public Tensor zeros(long... shape) {
    return own(Nd4j.create(F, shape));
  }

  @Override
  public Tensor full(float value, long... shape) {
    INDArray a = Nd4j.createUninitialized(F, shape);
    a.assign(value);
    return own(a);
  }

  @Override
  public Tensor fromFloats(float[] data, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    if (n != data.length)
      throw new IllegalArgumentException(data.length + " values do not fill shape " + Arrays.toString(shape));
    return own(Nd4j.create(data, shape, 'c'));
  }

  @Override
  public float[] toFloats(Tensor t) {
    INDArray a = arr(t);
    boolean plain = isContiguous(a) && a.offset() == 0 && a.data().length() == a.length();
    INDArray c = plain ? a : a.dup('c');
    float[] out = c.data().asFloat();
    closeIfCopy(c, a);
    return out;
  }

  @Override
  public void write(Tensor dst, float[] data) {
    INDArray d = arr(dst);
    if (data.length != d.length())
      throw new IllegalArgumentException(data.length + " values do not fill shape " + Arrays.toString(d.shape()));
    INDArray src = Nd4j.create(data, d.shape(), 'c');
    d.assign(src);
    src.close();
  }

  @Override
  public Tensor copy(Tensor t) {
    return own(arr(t).dup('c'));
  }

  @Override
  public void assign(Tensor dst, Tensor src) {
    INDArray d = arr(dst), s = arr(src);
    if (Arrays.equals(d.shape(), s.shape())) {
      d.assign(s);
      return;
    }
    broadcastShape(d.shape(), s.shape());
    INDArray b = s.broadcast(d.shape());
    d.assign(b);
    if (b.closeable()) b.close();
  }

  @Override
  public void fill(Tensor dst, float value) {
    arr(dst).assign(value);
  }

  // ---------------------------------------------------------------- views and layout

  @Override
  public Tensor reshape(Tensor t, long... shape) {
    INDArray a = arr(t);
    long[] s = shape.clone();
    int unknown = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (unknown >= 0) throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(shape));
        unknown = i;
      } else known *= s[i];
    }
    if (unknown >= 0) s[unknown] = known == 0 ? 0 : a.length() / known;
    long n = 1;
    for (long d : s) n *= d;
    if (n != a.length())
      throw new IllegalArgumentException("cannot reshape " + Arrays.toString(a.shape()) + " to " + Arrays.toString(shape));
    if (isContiguous(a)) return viewOf(t, a.reshape('c', s));
    INDArray copy = a.dup('c');
    return own(copy, copy.reshape('c', s));
  }

  @Override
  public Tensor permute(Tensor t, int... axes) {
    INDArray a = arr(t);
    if (axes.length != a.rank())
      throw new IllegalArgumentException("permute " + Arrays.toString(axes) + " of rank " + a.rank());
    return viewOf(t, a.permute(axes(axes, a.rank())));
  }

  @Override
  public Tensor contiguous(Tensor t) {
    INDArray a = arr(t);
    return isContiguous(a) ? t.retain() : own(a.dup('c'));
  }

  @Override
  public Tensor slice(Tensor t, int axis, long start, long end) {
    INDArray a = arr(t);
    int ax = Tensor.axis(axis, a.rank());
    if (start < 0 || end > a.size(ax) || start >= end)
      throw new IllegalArgumentException("slice [" + start + ", " + end + ") of axis " + ax + " of "
          + Arrays.toString(a.shape()));
    INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
    for (int i = 0; i < idx.length; i++) idx[i] = i == ax ? NDArrayIndex.interval(start, end) : NDArrayIndex.all();
    return viewOf(t, a.get(idx));
  }

  @Override
  public Tensor concat(int axis, Tensor... parts) {
    INDArray[] in = new INDArray[parts.length];
    for (int i = 0; i < parts.length; i++) in[i] = arr(parts[i]);
    int ax = Tensor.axis(axis, in[0].rank());
    long[] shape = in[0].shape().clone();
    shape[ax] = 0;
    for (INDArray p : in) shape[ax] += p.size(ax);
    INDArray out = Nd4j.createUninitialized(F, shape);
    long at = 0;
    INDArrayIndex[] idx = new INDArrayIndex[shape.length];
    for (INDArray p : in) {
      for (int i = 0; i < idx.length; i++) idx[i] = i == ax ? NDArrayIndex.interval(at, at + p.size(ax)) : NDArrayIndex.all();
      out.get(idx).assign(p);
      at += p.size(ax);
    }
    return own(out);
  }

  // ---------------------------------------------------------------- GEMM

  @Override
  public Tensor matmul(Tensor ta, Tensor tb, boolean transA, boolean transB) {
    INDArray a = arr(ta), b = arr(tb);
    if (a.rank() < 2 || b.rank() < 2)
      throw new IllegalArgumentException("matmul needs matrices, got " + Arrays.toString(a.shape()) + " and "
          + Arrays.toString(b.shape()));
    if (b.rank() == 2 && a.rank() > 2) {
      // a shared weight: fold the batch into the rows of one GEMM
      INDArray ad = transA ? a.permute(swapLast(a.rank())).dup('c') : dense(a);
      long k = ad.size(-1), m = ad.size(-2);
      INDArray a2 = ad.reshape('c', ad.length() / k, k);
      INDArray bd = dense(b);
      long n = transB ? bd.size(0) : bd.size(1);
      INDArray out = Nd4j.createUninitialized(F, a2.size(0), n);
      exec("matmul", new INDArray[] {a2, bd}, new INDArray[] {out}, new int[] {0, transB ? 1 : 0, 0}, 1.0, 0.0);
      closeIfCopy(ad, a);
      closeIfCopy(bd, b);
      long[] shape = ad.shape().clone();
      shape[shape.length - 2] = m;
      shape[shape.length - 1] = n;
      return own(out, out.reshape('c', shape));
    }
    if (a.rank() != b.rank())
      throw new IllegalArgumentException("matmul batch ranks differ: " + Arrays.toString(a.shape()) + " and "
          + Arrays.toString(b.shape()));
    INDArray ad = dense(a), bd = dense(b);
    long m = transA ? ad.size(-1) : ad.size(-2);
    long n = transB ? bd.size(-2) : bd.size(-1);
    long[] shape = ad.shape().clone();
    shape[shape.length - 2] = m;
    shape[shape.length - 1] = n;
    INDArray out = Nd4j.createUninitialized(F, shape);
    exec("matmul", new INDArray[] {ad, bd}, new INDArray[] {out}, new int[] {transA ? 1 : 0, transB ? 1 : 0, 0}, 1.0,
        0.0);
    closeIfCopy(ad, a);
    closeIfCopy(bd, b);
    return own(out);
  }

  private static int[] swapLast(int rank) {
    int[] p = new int[rank];
    for (int i = 0; i < rank; i++) p[i] = i;
    p[rank - 2] = rank - 1;
    p[rank - 1] = rank - 2;
    return p;
  }

  @Override
  public void gemm(Tensor tc, Tensor ta, Tensor tb, boolean transA, boolean transB, float alpha, float beta) {
    INDArray c = arr(tc), a = arr(ta), b = arr(tb);
    if (c.rank() != 2 || !isContiguous(c))
      throw new IllegalArgumentException("gemm target must be a contiguous matrix, got " + Arrays.toString(c.shape()));
    INDArray ad = dense(a), bd = dense(b);
    exec("matmul", new INDArray[] {ad, bd}, new INDArray[] {c}, new int[] {transA ? 1 : 0, transB ? 1 : 0, 0}, alpha,
        beta);
    closeIfCopy(ad, a);
    closeIfCopy(bd, b);
  }

  // ---------------------------------------------------------------- elementwise

  @Override
  public Tensor add(Tensor a, Tensor b) {
    return binary("add", a, b);
  }

  @Override
  public Tensor sub(Tensor a, Tensor b) {
    return binary("subtract", a, b);
  }

  @Override
  public Tensor mul(Tensor a, Tensor b) {
    return binary("multiply", a, b);
  }

  @Override
  public Tensor div(Tensor a, Tensor b) {
    return binary("divide", a, b);
  }

  @Override
  public Tensor add(Tensor a, float s) {
    return own(arr(a).add(s));
  }

  @Override
  public Tensor mul(Tensor a, float s) {
    return own(arr(a).mul(s));
  }

  @Override
  public Tensor pow(Tensor a, float p) {
    return own(Transforms.pow(arr(a), p, true));
  }

  @Override
  public Tensor clamp(Tensor a, float lo, float hi) {
    INDArray x = arr(a);
    INDArray out = Nd4j.createUninitialized(F, x.shape());
    exec("clipbyvalue", new INDArray[] {x}, new INDArray[] {out}, null, lo, hi);
    return own(out);
  }

  @Override
  public Tensor map(Unary f, Tensor t) {
    INDArray x = arr(t);
    return own(switch (f) {
      case NEG -> x.neg();
      case ABS -> Transforms.abs(x, true);
      case SQUARE -> x.mul(x);
      case SQRT -> Transforms.sqrt(x, true);
      case RSQRT -> Transforms.sqrt(x, true).rdivi(1.0f);
      case RECIPROCAL -> x.rdiv(1.0f);
      case EXP -> Transforms.exp(x, true);
      case LOG -> Transforms.log(x, true);
      case SIN -> Transforms.sin(x, true);
      case COS -> Transforms.cos(x, true);
      case TANH -> Transforms.tanh(x, true);
      case ERF -> erf(x, 1.0);
      case SIGMOID -> Transforms.sigmoid(x, true);
      case SILU -> {
        INDArray s = Transforms.sigmoid(x, true);
        yield s.muli(x);
      }
      case GELU -> {
        // exact GELU: 0.5·x·(1 + erf(x/√2)); ND4J's GELU/PreciseGELU are approximations (stack.md §9)
        INDArray e = erf(x, INV_SQRT2);
        yield e.addi(1.0f).muli(x).muli(0.5f);
      }
    });
  }

  /** erf(scale·x) into a new array. */
  private static INDArray erf(INDArray x, double scale) {
    INDArray in = x.mul(scale);
    Nd4j.exec(new Erf(in, in));
    return in;
  }

  @Override
  public Tensor geluBackward(Tensor tx, Tensor tdy) {
    INDArray x = arr(tx), dy = arr(tdy);
    INDArray cdf = erf(x, INV_SQRT2).addi(1.0f).muli(0.5f); // Φ(x)
    INDArray pdf = x.mul(x).muli(-0.5f); // φ(x) = exp(−x²/2)/√(2π)
    Transforms.exp(pdf, false).muli(INV_SQRT_2PI).muli(x);
    cdf.addi(pdf).muli(dy);
    pdf.close();
    return own(cdf);
  }

  @Override
  public Tensor siluBackward(Tensor tx, Tensor tdy) {
    INDArray x = arr(tx), dy = arr(tdy);
    INDArray s = Transforms.sigmoid(x, true);
    INDArray t = s.rsub(1.0f).muli(x).addi(1.0f); // 1 + x·(1 − s)
    t.muli(s).muli(dy);
    s.close();
    return own(t);
  }

  @Override
  public void addInPlace(Tensor dst, Tensor src) {
    binaryInPlace("add", dst, src);
  }

  @Override
  public void addScaledInPlace(Tensor dst, Tensor src, float alpha) {
    INDArray d = arr(dst), s = arr(src);
    if (!Arrays.equals(d.shape(), s.shape()))
      throw new IllegalArgumentException("addScaledInPlace shapes differ: " + Arrays.toString(d.shape()) + " and "
          + Arrays.toString(s.shape()));
    INDArray t = s.mul(alpha);
    d.addi(t);
    t.close();
  }

  @Override
  public void mulInPlace(Tensor dst, Tensor src) {
    binaryInPlace("multiply", dst, src);
  }

  @Override
  public void scaleInPlace(Tensor dst, float s) {
    arr(dst).muli(s);
  }

  // ---------------------------------------------------------------- reductions

  @Override
  public Tensor sum(Tensor x, boolean keepDims, int... ax) {
    INDArray a = arr(x);
    return own(a.sum(keepDims, axes(ax, a.rank())));
  }

  @Override
  public Tensor mean(Tensor x, boolean keepDims, int... ax) {
    INDArray a = arr(x);
    return own(a.mean(keepDims, axes(ax, a.rank())));
  }

  @Override
  public Tensor max(Tensor x, boolean keepDims, int... ax) {
    INDArray a = arr(x);
    return own(a.max(keepDims, axes(ax, a.rank())));
  }

  @Override
  public double sumOfSquares(Tensor x) {
    INDArray d = arr(x).castTo(DataType.DOUBLE);
    double s = d.norm2Number().doubleValue();
    d.close();
    return s * s;
  }

  // ---------------------------------------------------------------- normalisation, softmax

  /** gamma [C] shaped to broadcast along {@code axis} of a rank-r tensor. */
  private static INDArray alongAxis(INDArray v, int axis, int rank) {
    if (axis == rank - 1) return v;
    long[] shape = new long[rank];
    java.util.Arrays.fill(shape, 1);
    shape[axis] = v.length();
    return v.reshape('c', shape);
  }

  private static int[] allBut(int axis, int rank) {
    int[] out = new int[rank - 1];
    for (int i = 0, k = 0; i < rank; i++) if (i != axis) out[k++] = i;
    return out;
  }

  @Override
  public LayerNormResult layerNorm(Tensor tx, int axis, Tensor gamma, Tensor beta, float eps) {
    INDArray x = arr(tx);
    int ax = Tensor.axis(axis, x.rank());
    INDArray mean = x.mean(true, ax);
    INDArray xc = x.sub(mean);
    INDArray sq = xc.mul(xc);
    INDArray var = sq.mean(true, ax);
    sq.close();
    INDArray rstd = Transforms.sqrt(var.addi(eps), false).rdivi(1.0f);
    INDArray y = xc.muli(rstd);
    if (gamma != null) y.muli(alongAxis(arr(gamma), ax, x.rank()));
    if (beta != null) y.addi(alongAxis(arr(beta), ax, x.rank()));
    return new LayerNormResult(own(y), own(mean), own(rstd));
  }

  @Override
  public LayerNormGrads layerNormBackward(Tensor tdy, Tensor tx, Tensor tmean, Tensor trstd, Tensor gamma,
      boolean needBeta, int axis) {
    INDArray dy = arr(tdy), x = arr(tx), mean = arr(tmean), rstd = arr(trstd);
    int ax = Tensor.axis(axis, x.rank());
    int[] rows = allBut(ax, x.rank());
    INDArray xhat = x.sub(mean).muli(rstd);
    Tensor dGamma = null, dBeta = null;
    INDArray g;
    if (gamma != null) {
      INDArray p = dy.mul(xhat);
      dGamma = own(p.sum(rows));
      p.close();
      g = dy.mul(alongAxis(arr(gamma), ax, x.rank()));
    } else {
      g = dy.dup('c');
    }
    if (needBeta) dBeta = own(dy.sum(rows));
    INDArray gm = g.mean(true, ax);
    INDArray gx = g.mul(xhat);
    INDArray gxm = gx.mean(true, ax);
    gx.close();
    // dx = rstd·(g − mean(g) − x̂·mean(g·x̂))
    INDArray dx = g.subi(gm).subi(xhat.muli(gxm)).muli(rstd);
    gm.close();
    gxm.close();
    xhat.close();
    return new LayerNormGrads(own(dx), dGamma, dBeta);
  }

  @Override
  public Tensor softmax(Tensor tx) {
    INDArray x = dense(arr(tx));
    INDArray out = Nd4j.createUninitialized(F, x.shape());
    exec("softmax", new INDArray[] {x}, new INDArray[] {out}, new int[] {x.rank() - 1});
    closeIfCopy(x, arr(tx));
    return own(out);
  }

  // ---------------------------------------------------------------- convolution

  private static int[] convArgs(INDArray w, Conv2dSpec s) {
    // kH, kW, sH, sW, pH, pW, dH, dW, same-mode 0, NCHW 0, weights [out, in, kH, kW] (format 1)
    return new int[] {(int) w.size(2), (int) w.size(3), s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(),
        s.dilationW(), 0, 0, 1};
  }

  private static boolean depthwise(INDArray x, INDArray w, Conv2dSpec s) {
    return s.groups() > 1 && s.groups() == x.size(1) && w.size(0) == x.size(1) && w.size(1) == 1;
  }

  private static void checkConv(INDArray x, INDArray w, Conv2dSpec s) {
    if (x.rank() != 4 || w.rank() != 4 || x.size(1) != w.size(1) * s.groups() || w.size(0) % s.groups() != 0)
      throw new IllegalArgumentException("conv2d: input " + Arrays.toString(x.shape()) + " and weight "
          + Arrays.toString(w.shape()) + " do not fit " + s);
  }

  @Override
  public Tensor conv2d(Tensor tx, Tensor tw, Tensor tb, Conv2dSpec s) {
    INDArray x = dense(arr(tx)), w = dense(arr(tw));
    checkConv(x, w, s);
    long oh = s.outH(x.size(2), w.size(2)), ow = s.outW(x.size(3), w.size(3));
    INDArray out;
    if ((s.groups() == 1 || depthwise(x, w, s)) && ShiftedConv.applies(w, s, s.groups() > 1)) {
      out = ShiftedConv.conv2d(x, w, tb == null ? null : arr(tb), s, s.groups() > 1);
    } else if (s.groups() == 1 || depthwise(x, w, s)) {
      out = Nd4j.createUninitialized(F, x.size(0), w.size(0), oh, ow);
      boolean dw = s.groups() > 1;
      INDArray wk = dw ? w.reshape('c', 1, w.size(0), w.size(2), w.size(3)) : w;
      INDArray[] in = tb == null ? new INDArray[] {x, wk} : new INDArray[] {x, wk, arr(tb)};
      exec(dw ? "depthwise_conv2d" : "conv2d", in, new INDArray[] {out}, convArgs(w, s));
    } else {
      out = groupedConv(x, w, tb == null ? null : arr(tb), s);
    }
    closeIfCopy(x, arr(tx));
    closeIfCopy(w, arr(tw));
    return own(out);
  }

  private INDArray groupedConv(INDArray x, INDArray w, INDArray b, Conv2dSpec s) {
    int g = s.groups();
    long cin = x.size(1) / g, cout = w.size(0) / g;
    Conv2dSpec one = new Conv2dSpec(s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW(), 1);
    long oh = s.outH(x.size(2), w.size(2)), ow = s.outW(x.size(3), w.size(3));
    INDArray out = Nd4j.createUninitialized(F, x.size(0), w.size(0), oh, ow);
    for (int i = 0; i < g; i++) {
      INDArray xg = x.get(NDArrayIndex.all(), NDArrayIndex.interval(i * cin, (i + 1) * cin)).dup('c');
      INDArray wg = w.get(NDArrayIndex.interval(i * cout, (i + 1) * cout)).dup('c');
      INDArray og = Nd4j.createUninitialized(F, x.size(0), cout, oh, ow);
      INDArray[] in = b == null ? new INDArray[] {xg, wg}
          : new INDArray[] {xg, wg, b.get(NDArrayIndex.interval(i * cout, (i + 1) * cout)).dup()};
      exec("conv2d", in, new INDArray[] {og}, convArgs(wg, one));
      out.get(NDArrayIndex.all(), NDArrayIndex.interval(i * cout, (i + 1) * cout)).assign(og);
      for (INDArray t : in) t.close();
      og.close();
    }
    return out;
  }

  @Override
  public ConvGrads conv2dBackward(Tensor tdy, Tensor tx, Tensor tw, Conv2dSpec s, boolean needInput,
      boolean needWeight, boolean needBias) {
    INDArray dy = dense(arr(tdy)), x = dense(arr(tx)), w = dense(arr(tw));
    checkConv(x, w, s);
    Tensor dx = null, dw = null, db = null;
    if (needInput || needWeight) {
      INDArray gx = Nd4j.createUninitialized(F, x.shape());
      INDArray gw = Nd4j.createUninitialized(F, w.shape());
      if (s.groups() == 1 || depthwise(x, w, s)) {
        boolean dwc = s.groups() > 1;
        INDArray wk = dwc ? w.reshape('c', 1, w.size(0), w.size(2), w.size(3)) : w;
        INDArray gwk = dwc ? gw.reshape('c', 1, w.size(0), w.size(2), w.size(3)) : gw;
        exec(dwc ? "depthwise_conv2d_bp" : "conv2d_bp", new INDArray[] {x, wk, dy}, new INDArray[] {gx, gwk},
            convArgs(w, s));
      } else {
        groupedConvBackward(dy, x, w, s, gx, gw);
      }
      if (needInput) dx = own(gx);
      else gx.close();
      if (needWeight) dw = own(gw);
      else gw.close();
    }
    if (needBias) db = own(dy.sum(0, 2, 3));
    closeIfCopy(dy, arr(tdy));
    closeIfCopy(x, arr(tx));
    closeIfCopy(w, arr(tw));
    return new ConvGrads(dx, dw, db);
  }

  private void groupedConvBackward(INDArray dy, INDArray x, INDArray w, Conv2dSpec s, INDArray gx, INDArray gw) {
    int g = s.groups();
    long cin = x.size(1) / g, cout = w.size(0) / g;
    Conv2dSpec one = new Conv2dSpec(s.strideH(), s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW(), 1);
    for (int i = 0; i < g; i++) {
      INDArray xg = x.get(NDArrayIndex.all(), NDArrayIndex.interval(i * cin, (i + 1) * cin)).dup('c');
      INDArray wg = w.get(NDArrayIndex.interval(i * cout, (i + 1) * cout)).dup('c');
      INDArray dyg = dy.get(NDArrayIndex.all(), NDArrayIndex.interval(i * cout, (i + 1) * cout)).dup('c');
      INDArray gxg = Nd4j.createUninitialized(F, xg.shape());
      INDArray gwg = Nd4j.createUninitialized(F, wg.shape());
      exec("conv2d_bp", new INDArray[] {xg, wg, dyg}, new INDArray[] {gxg, gwg}, convArgs(wg, one));
      gx.get(NDArrayIndex.all(), NDArrayIndex.interval(i * cin, (i + 1) * cin)).assign(gxg);
      gw.get(NDArrayIndex.interval(i * cout, (i + 1) * cout)).assign(gwg);
      for (INDArray t : new INDArray[] {xg, wg, dyg, gxg, gwg}) t.close();
    }
  }

  @Override
  public Tensor conv2dBackwardInput(Tensor tdy, Tensor tw, long[] inputShape, Conv2dSpec s) {
    INDArray dy = dense(arr(tdy)), w = dense(arr(tw));
    long kh = w.size(2), kw = w.size(3);
    boolean exact = (dy.size(2) - 1) * s.strideH() + s.dilationH() * (kh - 1) + 1 - 2L * s.padH() == inputShape[2]
        && (dy.size(3) - 1) * s.strideW() + s.dilationW() * (kw - 1) + 1 - 2L * s.padW() == inputShape[3];
    Tensor result;
    if (s.groups() == 1 && exact) {
      // the input gradient of a convolution is a transposed convolution with the same weight, read as [in, out, kh, kw]
      INDArray out = Nd4j.createUninitialized(F, inputShape);
      exec("deconv2d", new INDArray[] {dy, w}, new INDArray[] {out}, convArgs(w, s));
      result = own(out);
    } else {
      try (Tensor x = zeros(inputShape)) {
        result = conv2dBackward(tdy, x, tw, s, true, false, false).dx();
      }
    }
    closeIfCopy(dy, arr(tdy));
    closeIfCopy(w, arr(tw));
    return result;
  }

  // ---------------------------------------------------------------- gather / scatter, randomness

  @Override
  public Tensor gatherRows(Tensor table, int[] ids) {
    INDArray t = arr(table);
    if (t.rank() != 2) throw new IllegalArgumentException("gatherRows needs a 2-D table, got " + Arrays.toString(t.shape()));
    for (int id : ids)
      if (id < 0 || id >= t.size(0))
        throw new IllegalArgumentException("id " + id + " outside table of " + t.size(0) + " rows");
    return own(Nd4j.pullRows(t, 1, ids));
  }

  @Override
  public void scatterAddRows(Tensor dst, int[] ids, Tensor src) {
    INDArray d = arr(dst), s = dense(arr(src));
    if (d.rank() != 2 || !isContiguous(d) || s.size(0) != ids.length || s.size(1) != d.size(1))
      throw new IllegalArgumentException("scatterAddRows: table " + Arrays.toString(d.shape()) + ", " + ids.length
          + " ids, rows " + Arrays.toString(s.shape()));
    INDArray idx = Nd4j.createFromArray(ids);
    exec("scatter_add", new INDArray[] {d, idx, s}, new INDArray[] {d}, null);
    idx.close();
    closeIfCopy(s, arr(src));
  }

  @Override
  public Tensor dropoutMask(long seed, float p, long... shape) {
    if (p < 0 || p >= 1) throw new IllegalArgumentException("dropout probability " + p + " outside [0, 1)");
    Random rng = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    INDArray u = Nd4j.rand(rng, shape).castTo(F);
    INDArray keep = u.gte(p);
    INDArray mask = keep.castTo(F).muli(1.0f / (1.0f - p));
    u.close();
    keep.close();
    return own(mask);
  }

  // ---------------------------------------------------------------- optimizers

  @Override
  public void adamwStep(Tensor tp, Tensor tg, Tensor tm, Tensor tv, AdamW h, long step) {
    INDArray p = arr(tp), g = arr(tg), m = arr(tm), v = arr(tv);
    if (h.weightDecay() != 0) p.muli((float) (1.0 - h.lr() * h.weightDecay()));
    // m.lerp_(g, 1 − β1) = m + (1 − β1)·(g − m)
    INDArray d = g.sub(m).muli((float) (1.0 - h.beta1()));
    m.addi(d);
    // v = β2·v + (1 − β2)·g·g
    d.assign(g).muli((float) (1.0 - h.beta2())).muli(g);
    v.muli((float) h.beta2()).addi(d);
    double bc1 = 1.0 - Math.pow(h.beta1(), step);
    double bc2 = 1.0 - Math.pow(h.beta2(), step);
    float stepSize = (float) (h.lr() / bc1);
    float bc2Sqrt = (float) Math.sqrt(bc2);
    // denom = sqrt(v)/sqrt(bc2) + eps ; p += −stepSize · m / denom
    d.assign(v);
    Transforms.sqrt(d, false).divi(bc2Sqrt).addi((float) h.eps());
    INDArray upd = m.div(d).muli(-stepSize);
    p.addi(upd);
    upd.close();
    d.close();
  }

  @Override
  public void sgdStep(Tensor tp, Tensor tg, Tensor tbuf, double lr, double momentum, double weightDecay,
      boolean firstStep) {
    INDArray p = arr(tp), g = arr(tg);
    INDArray d = weightDecay != 0 ? g.add(p.mul((float) weightDecay)) : g.dup();
    if (momentum != 0) {
      if (tbuf == null) throw new IllegalArgumentException("SGD with momentum needs a momentum buffer");
      INDArray buf = arr(tbuf);
      if (firstStep) buf.assign(d);
      else buf.muli((float) momentum).addi(d);
      d.assign(buf);
    }
    p.subi(d.muli((float) lr));
    d.close();
  }
}
