package org.cascadetuner.common.models.effnet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
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
import org.cascadetuner.common.nn.layers.Silu;
import org.cascadetuner.common.nn.layers.SqueezeExcitation;

/**
 * Stage C's latent encoder, {@code EfficientNetEncoder} of the StableCascade repository
 * (spec/stage-c-architecture.md §3): {@code mapper(backbone(x))} with {@code backbone} = torchvision EfficientNetV2
 * {@code features} built from an {@link EffNetStageTable} and {@code mapper} = Conv1×1(last → c_latent, no bias) +
 * BatchNorm2d(c_latent, affine=False). Frozen, so inference only.
 *
 * <p>Every BatchNorm runs on running statistics, so it is folded into the convolution before it once at load
 * ({@code W' = W·α}, bias {@code β}): one pass over each activation instead of three. Weights are read by the
 * checkpoint's names ({@code backbone.<features idx>...}, {@code mapper.*}); the folded convolutions keep their
 * convolution's name for the weight and get {@code <conv>.bias} for the absorbed shift. c_latent is the row count of
 * {@code mapper.0.weight} (the encoder's only dimension the folder does not state otherwise).
 */
public final class EffNetEncoder implements AutoCloseable {

  /** The backbone's {@code features[i]} outputs (the last is the backbone output) and the latent; closes them all. */
  public record Features(List<Tensor> features, Tensor latent) implements AutoCloseable {
    public Tensor backbone() {
      return features.get(features.size() - 1);
    }

    @Override
    public void close() {
      for (Tensor t : features) t.close();
      latent.close();
    }
  }

  /** torchvision Conv2dNormActivation with the BatchNorm folded in: conv (+ bias) then SiLU when {@code act}. */
  private record ConvBnAct(Conv2d conv, Silu act) {
    Tensor forward(Tensor x) {
      Tensor y = conv.forward(x, Tape.NONE);
      if (act == null) return y;
      try (y) {
        return act.forward(y, Tape.NONE);
      }
    }
  }

  /** One inverted-residual block; {@code result += input} iff stride 1 and in == out (stochastic depth is off). */
  private sealed interface Block permits FusedMBConv, MBConv {
    Tensor forward(Tensor x);
  }

  /** Fused expand conv k×k (+ project 1×1), or a single k×k conv when the block does not expand. */
  private record FusedMBConv(List<ConvBnAct> layers, boolean residual) implements Block {
    @Override
    public Tensor forward(Tensor x) {
      Tensor h = x.retain();
      for (ConvBnAct l : layers) {
        try (Tensor in = h) {
          h = l.forward(in);
        }
      }
      if (residual) h.backend().addInPlace(h, x);
      return h;
    }
  }

  /** Expand 1×1 (absent when the block does not expand), depthwise k×k, squeeze-excitation, project 1×1. */
  private record MBConv(ConvBnAct expand, ConvBnAct depthwise, SqueezeExcitation se, ConvBnAct project,
      boolean residual) implements Block {
    @Override
    public Tensor forward(Tensor x) {
      Tensor h;
      try (Tensor e = expand == null ? x.retain() : expand.forward(x); Tensor d = depthwise.forward(e);
          Tensor s = se.forward(d, Tape.NONE)) {
        h = project.forward(s);
      }
      if (residual) h.backend().addInPlace(h, x);
      return h;
    }
  }

  private final EffNetEncoderConfig config;
  private final Backend backend;
  private final ParameterStore params;
  private final Map<String, long[]> checkpointShapes;
  private ConvBnAct stem;
  private final List<List<Block>> stages = new ArrayList<>();
  private ConvBnAct head;
  private ConvBnAct mapper;
  private int latentChannels;
  private final Tensor mean;
  private final Tensor std;

  /**
   * Builds the encoder of {@code config} from {@code weights} (which may be closed afterwards). Every tensor of the
   * checkpoint must be used and have the shape the stage table implies.
   */
  public EffNetEncoder(EffNetEncoderConfig config, TensorSource weights, Backend backend, String where) {
    this.config = config;
    this.backend = backend;
    this.params = ParameterStore.frozen(backend, weights, where);
    try {
      this.checkpointShapes = build(weights, where);
    } catch (RuntimeException e) {
      params.close();
      throw e;
    }
    float[] m = new float[3], sd = new float[3];
    for (int c = 0; c < 3; c++) {
      m[c] = config.mean().get(c);
      sd[c] = config.std().get(c);
    }
    mean = backend.fromFloats(m, 1, 3, 1, 1);
    std = backend.fromFloats(sd, 1, 3, 1, 1);
  }

  private Map<String, long[]> build(TensorSource weights, String where) {
    Map<String, long[]> read = new TreeMap<>();
    EffNetStageTable table = config.table();
    float eps = config.bnEpsBackbone();
    // conv weights and BatchNorm statistics are read here, folded into params, and released
    try (ParameterStore staging = ParameterStore.frozen(backend, weights, where)) {
      Folder f = new Folder(staging, weights, read, where);
      stem = f.convBn("backbone.0", 3, table.stemChannels(), 3, 2, 1, eps, true, true);
      int idx = 1;
      for (EffNetStageTable.Stage s : table.stages()) {
        List<Block> blocks = new ArrayList<>();
        for (int j = 0; j < s.layers(); j++) {
          int in = j == 0 ? s.inChannels() : s.outChannels();
          int stride = j == 0 ? s.stride() : 1;
          String p = "backbone." + idx + "." + j + ".block.";
          blocks.add(s.kind() == EffNetStageTable.Kind.FUSED ? fused(f, p, s, in, stride, eps)
              : mb(f, p, s, in, stride, eps));
        }
        stages.add(Collections.unmodifiableList(blocks));
        idx++;
      }
      head = f.convBn("backbone." + idx, table.headInChannels(), table.headOutChannels(), 1, 1, 1, eps, true, true);
      if (!weights.contains("mapper.0.weight"))
        throw new IllegalArgumentException(where + ": no tensor 'mapper.0.weight' (an effnet encoder checkpoint has "
            + "backbone.* and mapper.* tensors)");
      long[] mw = weights.info("mapper.0.weight").shape();
      if (mw.length != 4 || mw[0] < 1)
        throw new IllegalArgumentException(where + ": 'mapper.0.weight' has shape " + Arrays.toString(mw)
            + "; expected [c_latent, " + table.headOutChannels() + ", 1, 1]");
      latentChannels = Math.toIntExact(mw[0]);
      mapper = f.convBn("mapper", table.headOutChannels(), latentChannels, 1, 1, 1, config.bnEpsMapper(), false,
          false);
      for (Parameter p : staging.all()) read.put(p.name(), p.shape());
    }
    for (Parameter p : params.all()) if (weights.contains(p.name())) read.put(p.name(), p.shape());
    List<String> unused = weights.names().stream().filter(n -> !read.containsKey(n)).sorted().toList();
    if (!unused.isEmpty())
      throw new IllegalArgumentException(where + ": " + unused.size() + " tensors do not belong to the encoder of "
          + config.source() + ", e.g. " + unused.stream().limit(5).toList() + "; a folder whose stage table is not "
          + "efficientnet_v2_s needs a " + EffNetEncoderConfig.META + " with 'tiny_stage_table'");
    return Collections.unmodifiableMap(read);
  }

  /** Loads an effnet folder: {@value EffNetEncoderConfig#WEIGHTS} and, when present, its meta.json stage table. */
  public static EffNetEncoder load(String folder, Configuration conf, Backend backend) {
    EffNetEncoderConfig config = EffNetEncoderConfig.read(folder, conf);
    String file = Storage.resolve(folder, EffNetEncoderConfig.WEIGHTS);
    if (!Storage.exists(file, conf))
      throw new IllegalArgumentException(folder + ": no " + EffNetEncoderConfig.WEIGHTS + " (an effnet folder holds "
          + "the encoder weights under that name, and a " + EffNetEncoderConfig.META + " when its stage table is not "
          + "efficientnet_v2_s)");
    try (TensorSource weights = SafeTensors.open(file, conf)) {
      return new EffNetEncoder(config, weights, backend, file);
    }
  }

  private static FusedMBConv fused(Folder f, String p, EffNetStageTable.Stage s, int in, int stride, float eps) {
    int out = s.outChannels();
    int expanded = EffNetStageTable.makeDivisible(in * s.expand());
    List<ConvBnAct> layers = expanded != in
        ? List.of(f.convBn(p + "0", in, expanded, s.kernel(), stride, 1, eps, true, true),
            f.convBn(p + "1", expanded, out, 1, 1, 1, eps, false, true))
        : List.of(f.convBn(p + "0", in, out, s.kernel(), stride, 1, eps, true, true));
    return new FusedMBConv(layers, stride == 1 && in == out);
  }

  private MBConv mb(Folder f, String p, EffNetStageTable.Stage s, int in, int stride, float eps) {
    int out = s.outChannels();
    int expanded = EffNetStageTable.makeDivisible(in * s.expand());
    int k = 0;
    ConvBnAct expand = expanded != in ? f.convBn(p + k++, in, expanded, 1, 1, 1, eps, true, true) : null;
    ConvBnAct depthwise = f.convBn(p + k++, expanded, expanded, s.kernel(), stride, expanded, eps, true, true);
    SqueezeExcitation se = SqueezeExcitation.load(params, p + k++, expanded, Math.max(1, in / 4));
    ConvBnAct project = f.convBn(p + k, expanded, out, 1, 1, 1, eps, false, true);
    return new MBConv(expand, depthwise, se, project, stride == 1 && in == out);
  }

  /** Reads a conv and its BatchNorm from the staging store and adds the folded conv to {@link #params}. */
  private final class Folder {
    private final ParameterStore staging;
    private final TensorSource weights;
    private final Map<String, long[]> read;
    private final String where;

    Folder(ParameterStore staging, TensorSource weights, Map<String, long[]> read, String where) {
      this.staging = staging;
      this.where = where;
      this.weights = weights;
      this.read = read;
    }

    /** {@code <prefix>.0} = Conv2d(bias=False), {@code <prefix>.1} = BatchNorm2d; padding (k − 1) / 2. */
    ConvBnAct convBn(String prefix, long in, long out, int kernel, int stride, int groups, float eps, boolean act,
        boolean affine) {
      Conv2dSpec spec = Conv2dSpec.of(stride, (kernel - 1) / 2, groups);
      Parameter w = staging.load(prefix + ".0.weight", out, in / groups, kernel, kernel);
      String bnName = prefix + ".1";
      Parameter fw, fb;
      try (BatchNorm2d bn = BatchNorm2d.load(staging, bnName, out, eps, affine);
          Tensor alpha = backend.reshape(bn.scale(), out, 1, 1, 1)) {
        fw = params.add(prefix + ".0.weight", backend.mul(w.value(), alpha));
        fb = params.add(prefix + ".0.bias", backend.reshape(bn.shift(), out));
      }
      String tracked = bnName + ".num_batches_tracked";
      if (weights.contains(tracked)) {
        long[] shape = weights.info(tracked).shape();
        if (shape.length != 0)
          throw new IllegalArgumentException(where + ": '" + tracked + "' has shape " + Arrays.toString(shape)
              + "; expected a scalar []");
        read.put(tracked, shape);
      }
      return new ConvBnAct(new Conv2d(fw, fb, spec), act ? new Silu() : null);
    }
  }

  public EffNetEncoderConfig config() {
    return config;
  }

  /** The latent's channel count (16 for Stage C). */
  public int latentChannels() {
    return latentChannels;
  }

  /** The folded weights the forward uses (frozen). */
  public ParameterStore parameters() {
    return params;
  }

  /** Every checkpoint tensor the encoder read, by name (torch's state_dict names and shapes), sorted by name. */
  public Map<String, long[]> checkpointShapes() {
    return checkpointShapes;
  }

  /** Learnable parameters as torch counts them: checkpoint tensors other than BatchNorm running statistics. */
  public long parameterCount() {
    return checkpointShapes.entrySet().stream().filter(e -> !isBuffer(e.getKey())).mapToLong(e -> numel(e.getValue()))
        .sum();
  }

  /** Float buffers: the BatchNorm running means and variances ({@code num_batches_tracked} is an integer). */
  public long floatBufferCount() {
    return checkpointShapes.entrySet().stream()
        .filter(e -> e.getKey().endsWith(".running_mean") || e.getKey().endsWith(".running_var"))
        .mapToLong(e -> numel(e.getValue())).sum();
  }

  static boolean isBuffer(String name) {
    return name.endsWith(".running_mean") || name.endsWith(".running_var") || name.endsWith(".num_batches_tracked");
  }

  private static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) n *= d;
    return n;
  }

  /** The latent shape [B, c_latent, h, w] of an image batch of {@code height × width}. */
  public long[] latentShape(long batch, long height, long width) {
    long h = height, w = width;
    Conv2dSpec s2 = Conv2dSpec.of(2, 1);
    h = s2.outH(h, 3);
    w = s2.outW(w, 3);
    for (EffNetStageTable.Stage s : config.table().stages()) {
      Conv2dSpec spec = Conv2dSpec.of(s.stride(), (s.kernel() - 1) / 2);
      h = spec.outH(h, s.kernel());
      w = spec.outW(w, s.kernel());
    }
    return new long[] {batch, latentChannels, h, w};
  }

  /** RGB in [0, 1] [B, 3, H, W] → {@code (x − mean) / std} per channel (torchvision Normalize). */
  public Tensor normalize(Tensor image01) {
    checkImage(image01);
    try (Tensor centred = backend.sub(image01, mean)) {
      return backend.div(centred, std);
    }
  }

  /** The latent [B, c_latent, H/32, W/32] of RGB images in [0, 1] [B, 3, H, W]. */
  public Tensor encode(Tensor image01) {
    try (Tensor x = normalize(image01)) {
      return encodeNormalized(x);
    }
  }

  /**
   * The latent of ImageNet-normalised images [B, 3, H, W] (e.g. {@code EffnetPreprocess} outputs of one bucket,
   * stacked); intermediate activations are released as it goes.
   */
  public Tensor encodeNormalized(Tensor x) {
    checkImage(x);
    try (Tensor b = backbone(x, null)) {
      return mapper.forward(b);
    }
  }

  /** Like {@link #encodeNormalized} but keeps every {@code features[i]} output (for comparisons with torch). */
  public Features forwardWithFeatures(Tensor x) {
    checkImage(x);
    List<Tensor> features = new ArrayList<>();
    try {
      backbone(x, features).close();
      return new Features(features, mapper.forward(features.get(features.size() - 1)));
    } catch (RuntimeException e) {
      for (Tensor t : features) t.close();
      throw e;
    }
  }

  /** Runs {@code features}; each stage's output is also added (retained) to {@code keep} when it is not null. */
  private Tensor backbone(Tensor x, List<Tensor> keep) {
    Tensor h = stem.forward(x);
    if (keep != null) keep.add(h.retain());
    for (List<Block> stage : stages) {
      for (Block b : stage) {
        try (Tensor in = h) {
          h = b.forward(in);
        }
      }
      if (keep != null) keep.add(h.retain());
    }
    try (Tensor in = h) {
      h = head.forward(in);
    }
    if (keep != null) keep.add(h.retain());
    return h;
  }

  private void checkImage(Tensor x) {
    long[] s = x.shape();
    if (s.length != 4 || s[1] != 3 || s[2] < 1 || s[3] < 1)
      throw new IllegalArgumentException("the EfficientNet encoder takes RGB images [B, 3, H, W], got "
          + Arrays.toString(s));
  }

  @Override
  public void close() {
    params.close();
    mean.close();
    std.close();
  }
}
