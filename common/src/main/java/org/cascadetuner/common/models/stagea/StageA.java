package org.cascadetuner.common.models.stagea;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Checkpoints;
import org.cascadetuner.common.io.Storage;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Conv2dSpec;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.BatchNorm2d;
import org.cascadetuner.common.nn.layers.Conv2d;
import org.cascadetuner.common.nn.layers.ConvTranspose2d;
import org.cascadetuner.common.nn.layers.Gelu;
import org.cascadetuner.common.nn.layers.LayerNorm;
import org.cascadetuner.common.nn.layers.LayerNorm2d;
import org.cascadetuner.common.nn.layers.Linear;

/**
 * Stage A of Stable Cascade: diffusers {@code PaellaVQModel} (the Würstchen VQGAN; spec/decoder-architecture.md §2),
 * built from its config.json and weights by their diffusers names. Inference only (frozen).
 *
 * <pre>
 * encode: PixelUnshuffle(r) ; Conv1×1 → c0 ; per level i: [Conv k4 s2 p1 c(i−1) → c(i) when i > 0] Mixing(c(i)) ;
 *         Conv1×1 → latent (no bias) ; BatchNorm2d (running statistics)                  image in [0,1] → latents
 * decode: Conv1×1 latent → c(last) ; bottleneck_blocks × Mixing(c(last)) ; per further level:
 *         ConvTranspose k4 s2 p1 c(l) → c(l−1), Mixing(c(l−1)) ; Conv1×1 c0 → out·r² ; PixelShuffle(r)
 * </pre>
 *
 * The decoder pipeline calls {@code decode(scale_factor · latents)} without vector quantisation and clamps to [0, 1]
 * ({@link #pipelineImages}); {@link #quantize} (nearest codebook vector) is there for tests and round trips.
 */
public final class StageA implements AutoCloseable {

  /** Receives each module's output by its diffusers name (e.g. {@code up_blocks.3}); retain to keep it. */
  @FunctionalInterface
  public interface Probe {
    Probe NONE = (module, output) -> {};

    void accept(String module, Tensor output);
  }

  /** Vector quantisation of latents: indices [B, h, w], the straight-through value z + (z_q − z), the VQ loss. */
  public record Quantized(long[] indices, long[] indexShape, Tensor zq, double loss) implements AutoCloseable {
    @Override
    public void close() {
      zq.close();
    }
  }

  private interface Block {
    Tensor forward(Tensor x);
  }

  private record Named(String name, Block block) {}

  /**
   * {@code MixingResidualBlock(c)} with gammas g: {@code t = LN(x)·(1 + g0) + g1; x += g2·depthwise3×3(
   * ReplicationPad(1)(t)); t = LN(x)·(1 + g3) + g4; x += g5·Linear(GELU(Linear(t)))}, the LayerNorms over channels
   * (no affine, eps 1e-6), the linears per pixel (c → 4c → c).
   */
  private record Mixing(float[] g, LayerNorm2d norm1, Conv2d depthwise, LayerNorm norm2, Linear fc1, Gelu act,
      Linear fc2) implements Block {

    static Mixing load(ParameterStore store, String prefix, long c) {
      float[] g = store.load(prefix + ".gammas", 6).value().toFloats();
      return new Mixing(g, LayerNorm2d.plain(1e-6f),
          Conv2d.load(store, prefix + ".depthwise.1", c, c, 3, Conv2dSpec.of(1, 0, (int) c), true),
          LayerNorm.plain(1e-6f), Linear.load(store, prefix + ".channelwise.0", c, 4 * c, true), new Gelu(),
          Linear.load(store, prefix + ".channelwise.2", 4 * c, c, true));
    }

    @Override
    public Tensor forward(Tensor x) {
      Backend be = x.backend();
      Tensor mid;
      try (Tensor n = norm1.forward(x, Tape.NONE); Tensor s = be.mul(n, 1f + g[0]); Tensor t = be.add(s, g[1]);
          Tensor p = be.padReplicate(t, 1); Tensor d = depthwise.forward(p, Tape.NONE)) {
        be.scaleInPlace(d, g[2]);
        mid = be.add(x, d);
      }
      try (mid; Tensor nhwc = be.permute(mid, 0, 2, 3, 1); Tensor c = be.contiguous(nhwc);
          Tensor n = norm2.forward(c, Tape.NONE); Tensor s = be.mul(n, 1f + g[3]); Tensor t = be.add(s, g[4]);
          Tensor h = fc1.forward(t, Tape.NONE); Tensor a = act.forward(h, Tape.NONE);
          Tensor o = fc2.forward(a, Tape.NONE); Tensor back = be.permute(o, 0, 3, 1, 2);
          Tensor ob = be.contiguous(back)) {
        be.scaleInPlace(ob, g[5]);
        return be.add(mid, ob);
      }
    }
  }

  private static final String CODEBOOK = "vquantizer.embedding.weight";
  /** The original StableCascade name of the codebook (torchtools VectorQuantize), accepted at load. */
  private static final String CODEBOOK_ORIGINAL = "vquantizer.codebook.weight";

  private final StageAConfig config;
  private final Backend backend;
  private final ParameterStore params;
  private final Map<String, long[]> checkpointShapes;
  private final Conv2d inConv;
  private BatchNorm2d bn; // the encoder's last norm (eval: running statistics, eps 1e-5)
  private final List<Named> down = new ArrayList<>();
  private final Tensor codebook;
  private final List<Named> up = new ArrayList<>();
  private final Conv2d outConv;

  public StageA(StageAConfig config, TensorSource weights, Backend backend, String where) {
    this.config = config;
    this.backend = backend;
    this.params = ParameterStore.frozen(backend, weights, where);
    try {
      List<Integer> c = config.cLevels();
      int r = config.upDownScaleFactor(), levels = config.levels();
      long last = c.get(levels - 1);
      inConv = Conv2d.load(params, "in_block.1", (long) config.inChannels() * r * r, c.get(0), 1, Conv2dSpec.of(1, 0),
          true);
      int k = 0;
      for (int i = 0; i < levels; i++) {
        if (i > 0) {
          Conv2d conv = Conv2d.load(params, "down_blocks." + k, c.get(i - 1), c.get(i), 4, Conv2dSpec.of(2, 1), true);
          down.add(new Named("down_blocks." + k++, x -> conv.forward(x, Tape.NONE)));
        }
        down.add(new Named("down_blocks." + k, Mixing.load(params, "down_blocks." + k++, c.get(i))));
      }
      Conv2d toLatent = Conv2d.load(params, "down_blocks." + k + ".0", last, config.latentChannels(), 1,
          Conv2dSpec.of(1, 0), false);
      bn = BatchNorm2d.load(params, "down_blocks." + k + ".1", config.latentChannels(), 1e-5f, true);
      down.add(new Named("down_blocks." + k, x -> {
        try (Tensor h = toLatent.forward(x, Tape.NONE)) {
          return bn.forward(h, Tape.NONE);
        }
      }));
      String bnName = "down_blocks." + k + ".1";
      String cb = weights.contains(CODEBOOK) || !weights.contains(CODEBOOK_ORIGINAL) ? CODEBOOK : CODEBOOK_ORIGINAL;
      codebook = params.load(cb, config.numVqEmbeddings(), config.latentChannels()).value();

      Conv2d upIn = Conv2d.load(params, "up_blocks.0.0", config.latentChannels(), last, 1, Conv2dSpec.of(1, 0), true);
      up.add(new Named("up_blocks.0", x -> upIn.forward(x, Tape.NONE)));
      k = 1;
      for (int i = 0; i < levels; i++) {
        long ci = c.get(levels - 1 - i);
        for (int j = 0; j < (i == 0 ? config.bottleneckBlocks() : 1); j++)
          up.add(new Named("up_blocks." + k, Mixing.load(params, "up_blocks." + k++, ci)));
        if (i < levels - 1) {
          ConvTranspose2d deconv = ConvTranspose2d.load(params, "up_blocks." + k, ci, c.get(levels - 2 - i), 4,
              Conv2dSpec.of(2, 1), true);
          up.add(new Named("up_blocks." + k++, x -> deconv.forward(x, Tape.NONE)));
        }
      }
      outConv = Conv2d.load(params, "out_block.0", c.get(0), (long) config.outChannels() * r * r, 1,
          Conv2dSpec.of(1, 0), true);
      checkpointShapes = checkNames(weights, where, bnName);
    } catch (RuntimeException e) {
      if (bn != null) bn.close();
      params.close();
      throw e;
    }
  }

  private Map<String, long[]> checkNames(TensorSource weights, String where, String bnName) {
    Map<String, long[]> read = new TreeMap<>();
    for (Parameter p : params.all()) read.put(p.name(), p.shape());
    String tracked = bnName + ".num_batches_tracked";
    if (weights.contains(tracked)) read.put(tracked, weights.info(tracked).shape());
    List<String> unused = weights.names().stream().filter(n -> !read.containsKey(n)).sorted().toList();
    if (!unused.isEmpty())
      throw new IllegalArgumentException(where + ": " + unused.size() + " tensors do not belong to the Stage A of "
          + config.source() + ", e.g. " + unused.stream().limit(5).toList() + " (is config.json the one of these "
          + "weights?)");
    return Collections.unmodifiableMap(read);
  }

  /**
   * Loads a Stage A folder: config.json + diffusion_pytorch_model.safetensors (the {@code vqgan/} folder of
   * stabilityai/stable-cascade), or a pipeline folder that holds {@code vqgan/}.
   */
  public static StageA load(String uri, Configuration conf, Backend backend) {
    String folder = folderOf(uri, conf);
    StageAConfig config = StageAConfig.read(folder, conf);
    try (TensorSource weights = Checkpoints.open(folder, conf)) {
      return new StageA(config, weights, backend, folder);
    }
  }

  /** {@code uri} itself when it holds config.json, else its {@code vqgan/} subfolder when that does. */
  static String folderOf(String uri, Configuration conf) {
    if (Storage.exists(Storage.resolve(uri, StageAConfig.CONFIG), conf)) return uri;
    String sub = Storage.resolve(uri, "vqgan");
    if (Storage.exists(Storage.resolve(sub, StageAConfig.CONFIG), conf)) return sub;
    throw new IllegalArgumentException(uri + ": no " + StageAConfig.CONFIG + " (a Stage A folder holds config.json and "
        + "diffusion_pytorch_model.safetensors, like the vqgan/ folder of stabilityai/stable-cascade)");
  }

  public StageAConfig config() {
    return config;
  }

  public ParameterStore parameters() {
    return params;
  }

  /** Every checkpoint tensor read (diffusers state-dict names and shapes), sorted by name. */
  public Map<String, long[]> checkpointShapes() {
    return checkpointShapes;
  }

  /** Parameters as torch counts them: everything but the BatchNorm running statistics and counter. */
  public long parameterCount() {
    return checkpointShapes.entrySet().stream().filter(e -> !e.getKey().contains(".running_")
        && !e.getKey().endsWith(".num_batches_tracked")).mapToLong(e -> Arrays.stream(e.getValue())
            .reduce(1, (a, b) -> a * b)).sum();
  }

  // ---------------------------------------------------------------- encode

  /** Images in [0, 1] [B, in, H, W] → unscaled latents [B, latent, H/(r·2^(levels−1)), …] (diffusers encode). */
  public Tensor encode(Tensor image01) {
    return encode(image01, Probe.NONE);
  }

  public Tensor encode(Tensor image01, Probe probe) {
    long[] s = image01.shape();
    int r = config.upDownScaleFactor();
    if (s.length != 4 || s[1] != config.inChannels() || s[2] % r != 0 || s[3] % r != 0)
      throw new IllegalArgumentException("Stage A encodes images [B, " + config.inChannels() + ", H, W] with H and W "
          + "multiples of " + r + ", got " + Arrays.toString(s));
    Tensor h;
    try (Tensor u = backend.pixelUnshuffle(image01, r)) {
      h = inConv.forward(u, Tape.NONE);
    }
    probe.accept("in_block", h);
    return run(down, h, probe);
  }

  // ---------------------------------------------------------------- decode

  /** Latents [B, latent, h, w] → images [B, out, H, W], no quantisation (diffusers decode, force_not_quantize). */
  public Tensor decode(Tensor latents) {
    return decode(latents, Probe.NONE);
  }

  public Tensor decode(Tensor latents, Probe probe) {
    long[] s = latents.shape();
    if (s.length != 4 || s[1] != config.latentChannels())
      throw new IllegalArgumentException("Stage A decodes latents [B, " + config.latentChannels() + ", h, w], got "
          + Arrays.toString(s));
    Tensor h = run(up, latents.retain(), probe);
    Tensor o;
    try (h) {
      o = outConv.forward(h, Tape.NONE);
    }
    probe.accept("out_block.0", o);
    try (o) {
      Tensor img = backend.pixelShuffle(o, config.upDownScaleFactor());
      probe.accept("out_block", img);
      return img;
    }
  }

  /**
   * {@link #decode} one image at a time, so at 1024 px only one image's activations are alive (a [384, 256, 256]
   * activation is 100 MB and the per-pixel MLP's hidden layer 400 MB).
   */
  public Tensor decodeEach(Tensor latents) {
    long b = latents.size(0);
    if (b == 1) return decode(latents);
    Tensor[] parts = new Tensor[(int) b];
    try {
      for (int i = 0; i < b; i++) {
        try (Tensor one = backend.slice(latents, 0, i, i + 1); Tensor c = backend.contiguous(one)) {
          parts[i] = decode(c);
        }
      }
      return backend.concat(0, parts);
    } finally {
      for (Tensor p : parts) if (p != null) p.close();
    }
  }

  /**
   * What StableCascadeDecoderPipeline returns for Stage B latents: {@code clamp(decode(scale_factor · latents), 0, 1)}
   * (spec §2.3), [B, out, H, W].
   */
  public Tensor pipelineImages(Tensor stageBLatents) {
    return pipelineImages(stageBLatents, config.scaleFactor());
  }

  /** {@link #pipelineImages(Tensor)} with another scale ({@code stable_cascade_stage_a_scale}, e.g. the original 0.43). */
  public Tensor pipelineImages(Tensor stageBLatents, float scale) {
    try (Tensor scaled = backend.mul(stageBLatents, scale); Tensor raw = decodeEach(scaled)) {
      return backend.clamp(raw, 0f, 1f);
    }
  }

  /**
   * The pipeline's PIL conversion of images in [0, 1] [B, C, H, W]: {@code round(255·x)} with round-half-to-even,
   * as bytes in NHWC order (what an image file holds).
   */
  public static byte[] toUint8Nhwc(Tensor images) {
    Backend be = images.backend();
    float[] v;
    try (Tensor nhwc = be.permute(images, 0, 2, 3, 1); Tensor c = be.contiguous(nhwc); Tensor s = be.mul(c, 255f)) {
      v = s.toFloats();
    }
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) out[i] = (byte) (int) Math.rint(Math.max(0f, Math.min(255f, v[i])));
    return out;
  }

  // ---------------------------------------------------------------- vector quantisation

  /**
   * The nearest codebook vector (Euclidean) of every latent pixel (diffusers VectorQuantizer, legacy=False, beta
   * 0.25): indices, the straight-through value {@code z + (z_q − z)}, and loss {@code 1.25 · mean((z_q − z)²)}.
   * Distances are one GEMM; the arg-min over the codebook runs on the host (only tests and round trips quantise: the
   * pipeline decodes without it).
   */
  public Quantized quantize(Tensor latents) {
    long[] s = latents.shape();
    if (s.length != 4 || s[1] != config.latentChannels())
      throw new IllegalArgumentException("quantize takes latents [B, " + config.latentChannels() + ", h, w], got "
          + Arrays.toString(s));
    long b = s[0], c = s[1], h = s[2], w = s[3], n = b * h * w, k = config.numVqEmbeddings();
    float[] scores, norms;
    Tensor z;
    try (Tensor p = backend.permute(latents, 0, 2, 3, 1); Tensor zc = backend.contiguous(p)) {
      z = backend.reshape(zc, n, c);
    }
    try (Tensor dot = backend.matmul(z, codebook, false, true); Tensor sq = backend.mul(codebook, codebook);
        Tensor e2 = backend.sum(sq, false, 1)) {
      scores = dot.toFloats();
      norms = e2.toFloats();
    }
    // ||z − e||² = ||z||² − 2 z·e + ||e||²; ||z||² is the same for every code of a pixel
    int[] idx = new int[(int) n];
    long[] indices = new long[(int) n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      float bestD = Float.POSITIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        float d = norms[j] - 2f * scores[(int) (i * k + j)];
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      idx[i] = best;
      indices[i] = best;
    }
    try (z; Tensor rows = backend.gatherRows(codebook, idx); Tensor diff = backend.sub(rows, z);
        Tensor st = backend.add(z, diff); Tensor nhwc = backend.reshape(st, b, h, w, c);
        Tensor nchw = backend.permute(nhwc, 0, 3, 1, 2)) {
      double mse = backend.sumOfSquares(diff) / ((double) n * c);
      return new Quantized(indices, new long[] {b, h, w}, backend.contiguous(nchw), 1.25 * mse);
    }
  }

  private static Tensor run(List<Named> blocks, Tensor x, Probe probe) {
    Tensor h = x;
    for (Named b : blocks) {
      try (Tensor in = h) {
        h = b.block().forward(in);
      }
      probe.accept(b.name(), h);
    }
    return h;
  }

  @Override
  public void close() {
    if (bn != null) bn.close();
    params.close();
  }
}
