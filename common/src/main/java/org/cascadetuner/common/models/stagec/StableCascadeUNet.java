package org.cascadetuner.common.models.stagec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Checkpoint;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.RatioEmbedding;

/**
 * The Stable Cascade Stage C prior, diffusers' {@code StableCascadeUNet} (spec §1.2), built from its config with
 * weights by their diffusers names. Forward and backward for every parameter; optional gradient checkpointing per
 * block; dropout only when training.
 *
 * <p>Inside, activations are channels-last [B, H, W, C]: the norms, the channelwise MLPs, the attention tokens and
 * the 1×1 convolutions all work on the last axis, so only the input and the output are transposed (and the
 * depthwise convolution runs natively on NHWC).
 *
 * <pre>
 * r_embed = E(r) ⊕ E(sca) ⊕ E(crp)            clip = ClipConditioning(pooled, text, image)
 * x = embedding(sample)
 * down level i: (i > 0: downscaler) ; R_i passes over its blocks, a repeat mapper between passes → level output i
 * up level i (deepest first): R'_i passes, the first ResBlock of a shallower level concatenates level output i ;
 *                             repeat mappers between passes ; upscaler to the next level
 * out = clf(x)
 * </pre>
 */
public final class StableCascadeUNet implements AutoCloseable {

  /**
   * One batch of inputs: sample [B, c_in, H, W], timestepRatio [B], clipTextPooled [B, P, D]; clipText [B, T, D],
   * clipImg [B, I, D], sca and crp [B] may be null (sca/crp then count as 0, as in every public training path).
   */
  public record Inputs(Tensor sample, Tensor timestepRatio, Tensor clipTextPooled, Tensor clipText, Tensor clipImg,
      Tensor sca, Tensor crp) {}

  /** Sees named intermediate tensors (goldens, debugging); block activations are channels-last [B, H, W, C]. */
  @FunctionalInterface
  public interface Probe {
    void record(String name, Tensor value);

    Probe NONE = (name, value) -> {};
  }

  /**
   * How one forward runs.
   *
   * @param training dropout on
   * @param dropoutSeed masks are derived from it per block call (same seed, same masks)
   * @param gradientCheckpointing keep only each block's inputs and recompute it in backward
   */
  public record Mode(boolean training, long dropoutSeed, boolean gradientCheckpointing, Probe probe) {
    public static final Mode EVAL = new Mode(false, 0, false, Probe.NONE);

    public Mode withProbe(Probe p) {
      return new Mode(training, dropoutSeed, gradientCheckpointing, p);
    }
  }

  /** A block and what it is built into: its diffusers name and the level it belongs to. */
  private record Placed(String name, UNetBlock block) {}

  private record Level(List<Placed> blocks, List<PointwiseConv> repeatMappers) {}

  private final StableCascadeUNetConfig config;
  private final ParameterStore params;
  private final RatioEmbedding rEmbedding;
  private final ClipConditioning clip;
  private final InputEmbedding embedding;
  private final List<LevelScaler> downscalers = new ArrayList<>(); // index i: before down level i (null for 0)
  private final List<Level> down = new ArrayList<>();
  private final List<Level> up = new ArrayList<>(); // index u: up_blocks.u = level L-1-u
  private final List<LevelScaler> upscalers = new ArrayList<>(); // index u: after up_blocks.u (null for the last)
  private final OutputHead clf;

  /** Builds the model on {@code params} (weights loaded by their diffusers names); the model owns the store. */
  public StableCascadeUNet(StableCascadeUNetConfig config, ParameterStore params, LinearBuilder linears) {
    this(config, params, params::load, linears);
  }

  private StableCascadeUNet(StableCascadeUNetConfig config, ParameterStore params, WeightLoader w,
      LinearBuilder linears) {
    this.config = config;
    this.params = params;
    int levels = config.levels();
    rEmbedding = new RatioEmbedding(config.timestepRatioEmbeddingDim(), StableCascadeUNetConfig.MAX_POSITIONS);
    clip = new ClipConditioning(w, linears, config);
    embedding = new InputEmbedding(w, config);
    for (int i = 0; i < levels; i++) {
      downscalers.add(i == 0 ? null
          : new LevelScaler(w, "down_downscalers." + i + ".1.blocks.0", config.channels(i - 1), config.channels(i)));
      List<Placed> blocks = new ArrayList<>();
      int n = 0;
      for (int layer = 0; layer < config.downNumLayersPerBlock().get(i); layer++)
        for (BlockType t : config.blockTypesPerLayer().get(i)) {
          String name = "down_blocks." + i + "." + n++;
          blocks.add(new Placed(name, block(w, linears, t, name + ".", i, 0)));
        }
      down.add(new Level(blocks, repeatMappers(w, "down_repeat_mappers." + i, config.channels(i),
          config.downRepeats(i))));
    }
    for (int u = 0; u < levels; u++) {
      int i = levels - 1 - u;
      List<Placed> blocks = new ArrayList<>();
      int n = 0;
      for (int layer = 0; layer < config.upLayers(i); layer++) {
        List<BlockType> types = config.blockTypesPerLayer().get(i);
        for (int k = 0; k < types.size(); k++) {
          // only the level's very first block takes the skip (diffusers: i < L-1 and j == k == 0)
          long skip = i < levels - 1 && layer == 0 && k == 0 ? config.channels(i) : 0;
          String name = "up_blocks." + u + "." + n++;
          blocks.add(new Placed(name, block(w, linears, types.get(k), name + ".", i, skip)));
        }
      }
      up.add(new Level(blocks, repeatMappers(w, "up_repeat_mappers." + u, config.channels(i), config.upRepeats(i))));
      upscalers.add(i == 0 ? null
          : new LevelScaler(w, "up_upscalers." + u + ".1.blocks.1", config.channels(i), config.channels(i - 1)));
    }
    clf = new OutputHead(w, config);
  }

  private UNetBlock block(WeightLoader w, LinearBuilder linears, BlockType type, String prefix, int level,
      long skip) {
    long c = config.channels(level);
    double p = config.dropout().get(level);
    return switch (type) {
      case RES -> new ResBlock(w, linears, prefix, c, skip, config.kernelSize(), p);
      case TIMESTEP -> new TimestepBlock(w, linears, prefix, c, config.timestepRatioEmbeddingDim(),
          config.timestepConditioningType());
      case ATTN -> new AttnBlock(w, linears, prefix, c, config.conditioningDim(), config.numAttentionHeads().get(level),
          config.selfAttn().get(level), p);
    };
  }

  private static List<PointwiseConv> repeatMappers(WeightLoader w, String prefix, long c, int repeats) {
    List<PointwiseConv> out = new ArrayList<>();
    for (int r = 0; r < repeats - 1; r++) out.add(PointwiseConv.load(w, prefix + "." + r, c, c));
    return out;
  }

  /**
   * Loads a model folder ({@link StageCModelFolder#resolve}): the config, then every weight by its diffusers name
   * (whatever naming the file uses). Weights stored as bf16/f16 are widened to float32.
   *
   * @param trainable which parameter names get gradient buffers (everything for a full fine-tune, nothing for
   *     inference, the adapters' for LoRA)
   * @param linears the Linear layers' builder, given the store (LoRA adds its adapters there)
   */
  public static StableCascadeUNet load(StageCModelFolder folder, Configuration conf, Backend backend,
      Predicate<String> trainable, Function<ParameterStore, LinearBuilder> linears) {
    StableCascadeUNetConfig config = folder.config(conf);
    try (TensorSource weights = folder.openWeights(conf)) {
      ParameterStore store = new ParameterStore(backend, weights, trainable, folder.weightsUri());
      try {
        StableCascadeUNet model = new StableCascadeUNet(config, store, linears.apply(store));
        List<String> unused = store.unused();
        if (!unused.isEmpty())
          throw new IllegalArgumentException(folder.weightsUri() + ": " + unused.size() + " tensors do not belong to "
              + "the model of " + folder.configUri() + ", e.g. " + unused.subList(0, Math.min(5, unused.size())));
        return model;
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
  }

  /**
   * Names and shapes of every weight of {@code config}'s model, in construction order, from the module tree itself
   * (nothing is allocated: real sizes are counted this way).
   */
  public static Map<String, long[]> parameterShapes(StableCascadeUNetConfig config) {
    ParameterStore plan = new ParameterStore(null, null, name -> false, "parameter plan of " + config.source());
    new StableCascadeUNet(config, plan, (name, shape) -> plan.add(name, new ShapeOnlyTensor(shape)),
        LinearBuilder.PLAIN);
    Map<String, long[]> out = new LinkedHashMap<>();
    for (Parameter p : plan.all()) out.put(p.name(), p.shape());
    return out;
  }

  /** Total parameter count of {@code config}'s model, without allocating it. */
  public static long parameterCount(StableCascadeUNetConfig config) {
    return parameterShapes(config).values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b))
        .sum();
  }

  public StableCascadeUNetConfig config() {
    return config;
  }

  public ParameterStore parameters() {
    return params;
  }

  // ---------------------------------------------------------------- forward

  /** What backward needs to replay the forward's structure. */
  private record Run(boolean checkpointed, long[] clipShape) implements Saved {
    @Override
    public long bytes() {
      return 0;
    }

    @Override
    public void close() {}
  }

  /** One call of a block with its dropout seed, as the checkpoint recomputes it. */
  private record Call(UNetBlock block, boolean training, long seed) implements Checkpoint.Block {
    @Override
    public Tensor forward(Tape tape, Tensor... inputs) {
      return block.forward(inputs[0], inputs[1], training, seed, tape);
    }

    @Override
    public Tensor[] backward(Tape tape, Tensor dy) {
      return block.backward(dy, tape);
    }
  }

  /** The r embedding [B, c_r·(1 + #conds)]: E(r), then E(cond) for each timestep condition (0 when not given). */
  public Tensor timestepEmbedding(Tensor r, Tensor sca, Tensor crp) {
    Backend be = r.backend();
    List<Tensor> parts = new ArrayList<>();
    try {
      parts.add(rEmbedding.forward(r));
      for (String cond : config.timestepConditioningType()) {
        Tensor v = switch (cond) {
          case "sca" -> sca;
          case "crp" -> crp;
          default -> null;
        };
        if (v == null) {
          try (Tensor z = be.zeros(r.shape())) {
            parts.add(rEmbedding.forward(z));
          }
        } else {
          parts.add(rEmbedding.forward(v));
        }
      }
      return be.concat(1, parts.toArray(Tensor[]::new));
    } finally {
      parts.forEach(Tensor::close);
    }
  }

  /** Runs the prior; with a recording tape, {@link #backward} may follow. Returns [B, c_out, H, W]. */
  public Tensor forward(Inputs in, Tape tape, Mode mode) {
    checkInputs(in);
    Backend be = in.sample().backend();
    Probe probe = mode.probe();
    long seed = mode.dropoutSeed();
    int calls = 0;
    int levels = config.levels();
    Tensor[] levelOutputs = new Tensor[levels];
    Tensor x = null;
    try (Tensor rEmbed = timestepEmbedding(in.timestepRatio(), in.sca(), in.crp());
        Tensor cond = clip.forward(in.clipTextPooled(), in.clipText(), in.clipImg(), tape)) {
      probe.record("r_embed", rEmbed);
      probe.record("clip_cond", cond);
      x = embedding.forward(in.sample(), tape);
      probe.record("embedding_out", x);
      for (int i = 0; i < levels; i++) {
        if (i > 0) x = replace(x, downscalers.get(i).forward(x, tape));
        Level level = down.get(i);
        for (int r = 0; r <= level.repeatMappers().size(); r++) {
          for (Placed p : level.blocks()) {
            Tensor aux = aux(p.block(), rEmbed, cond, null);
            x = replace(x, run(p.block(), x, aux, mode, mix(seed, calls++), tape));
            probe.record("block_out/" + p.name(), x);
          }
          if (r < level.repeatMappers().size()) x = replace(x, level.repeatMappers().get(r).forward(x, tape));
        }
        levelOutputs[i] = x.retain();
      }
      for (int u = 0; u < levels; u++) {
        int i = levels - 1 - u;
        Level level = up.get(u);
        for (int r = 0; r <= level.repeatMappers().size(); r++) {
          for (Placed p : level.blocks()) {
            Tensor skip = p.block() instanceof ResBlock rb && rb.skipChannels() > 0 ? levelOutputs[i] : null;
            Tensor aux = aux(p.block(), rEmbed, cond, skip);
            x = replace(x, run(p.block(), x, aux, mode, mix(seed, calls++), tape));
            probe.record("block_out/" + p.name(), x);
          }
          if (r < level.repeatMappers().size()) x = replace(x, level.repeatMappers().get(r).forward(x, tape));
        }
        if (upscalers.get(u) != null) x = replace(x, upscalers.get(u).forward(x, tape));
      }
      Tensor out = clf.forward(x, tape);
      tape.push(new Run(mode.gradientCheckpointing(), cond.shape()));
      return out;
    } finally {
      if (x != null) x.close();
      Saved.closeAll(levelOutputs);
    }
  }

  private static Tensor aux(UNetBlock block, Tensor rEmbed, Tensor cond, Tensor skip) {
    return switch (block.type()) {
      case RES -> skip;
      case TIMESTEP -> rEmbed;
      case ATTN -> cond;
    };
  }

  private static Tensor run(UNetBlock block, Tensor x, Tensor aux, Mode mode, long seed, Tape tape) {
    return Checkpoint.forward(mode.gradientCheckpointing(), new Call(block, mode.training(), seed), tape, x, aux);
  }

  /** Closes {@code old} and returns {@code next} (activations are replaced block by block). */
  private static Tensor replace(Tensor old, Tensor next) {
    old.close();
    return next;
  }

  /** A per-call dropout seed (SplitMix64 finaliser of seed and call index). */
  static long mix(long seed, long call) {
    long z = seed + 0x9E3779B97F4A7C15L * (call + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void checkInputs(Inputs in) {
    if (in.sample() == null || in.timestepRatio() == null || in.clipTextPooled() == null)
      throw new IllegalArgumentException("Stage C needs sample, timestep_ratio and clip_text_pooled");
    long[] s = in.sample().shape();
    int p = config.patchSize();
    if (s.length != 4 || s[1] != config.inChannels() || s[2] % p != 0 || s[3] % p != 0)
      throw new IllegalArgumentException("sample has shape " + Arrays.toString(s) + "; the model expects [B, "
          + config.inChannels() + ", H, W] with H and W multiples of patch_size " + p);
    long b = s[0];
    checkShape("timestep_ratio", in.timestepRatio(), b);
    checkShape("sca", in.sca(), b);
    checkShape("crp", in.crp(), b);
    checkTokens("clip_text_pooled", in.clipTextPooled(), b, config.clipTextPooledInChannels());
    if (config.hasTextAndImageConditioning()) {
      checkTokens("clip_text", in.clipText(), b, config.clipTextInChannels());
      checkTokens("clip_img", in.clipImg(), b, config.clipImageInChannels());
    }
  }

  private static void checkShape(String name, Tensor t, long b) {
    if (t != null && (t.rank() != 1 || t.size(0) != b))
      throw new IllegalArgumentException(name + " has shape " + Arrays.toString(t.shape()) + "; expected [" + b + "]");
  }

  private static void checkTokens(String name, Tensor t, long b, long d) {
    if (t != null && (t.rank() != 3 || t.size(0) != b || t.size(2) != d))
      throw new IllegalArgumentException(name + " has shape " + Arrays.toString(t.shape()) + "; expected [" + b
          + ", tokens, " + d + "] (3-D: a 2-D pooled embedding needs its token axis, [B, 1, D])");
  }

  // ---------------------------------------------------------------- backward

  /**
   * Adds dL/dθ for every trainable parameter, given dL/d(out) [B, c_out, H, W]; pops everything {@link #forward}
   * recorded on {@code tape}.
   */
  public void backward(Tensor dOut, Tape tape) {
    Backend be = dOut.backend();
    Run run = tape.pop(Run.class);
    int levels = config.levels();
    Tensor[] dLevel = new Tensor[levels];
    Tensor dClip = null;
    Tensor dx = clf.backward(dOut, tape);
    try {
      for (int u = levels - 1; u >= 0; u--) {
        int i = levels - 1 - u;
        Level level = up.get(u);
        if (upscalers.get(u) != null) dx = replace(dx, upscalers.get(u).backward(dx, tape));
        for (int r = level.repeatMappers().size(); r >= 0; r--) {
          if (r < level.repeatMappers().size()) dx = replace(dx, level.repeatMappers().get(r).backward(dx, tape));
          for (int k = level.blocks().size() - 1; k >= 0; k--) {
            UNetBlock block = level.blocks().get(k).block();
            Tensor[] g = Checkpoint.backward(run.checkpointed(), new Call(block, false, 0), tape, dx);
            dx = replace(dx, g[0]);
            if (block.type() == BlockType.RES) dLevel[i] = accumulate(be, dLevel[i], g[1]);
            else if (block.type() == BlockType.ATTN) dClip = accumulate(be, dClip, g[1]);
          }
        }
      }
      for (int i = levels - 1; i >= 0; i--) {
        if (dLevel[i] != null) {
          be.addInPlace(dx, dLevel[i]);
          dLevel[i].close();
          dLevel[i] = null;
        }
        Level level = down.get(i);
        for (int r = level.repeatMappers().size(); r >= 0; r--) {
          if (r < level.repeatMappers().size()) dx = replace(dx, level.repeatMappers().get(r).backward(dx, tape));
          for (int k = level.blocks().size() - 1; k >= 0; k--) {
            UNetBlock block = level.blocks().get(k).block();
            Tensor[] g = Checkpoint.backward(run.checkpointed(), new Call(block, false, 0), tape, dx);
            dx = replace(dx, g[0]);
            if (block.type() == BlockType.ATTN) dClip = accumulate(be, dClip, g[1]);
          }
        }
        if (downscalers.get(i) != null) dx = replace(dx, downscalers.get(i).backward(dx, tape));
      }
      embedding.backward(dx, tape);
      if (dClip == null) dClip = be.zeros(run.clipShape()); // no attention blocks: the mappers get zero gradients
      clip.backward(dClip, tape);
    } finally {
      dx.close();
      if (dClip != null) dClip.close();
      Saved.closeAll(dLevel);
    }
  }

  /** Adds {@code g} into the accumulator {@code acc} (taking ownership of {@code g}); null entries are skipped. */
  private static Tensor accumulate(Backend be, Tensor acc, Tensor g) {
    if (g == null) return acc;
    if (acc == null) return g;
    try (g) {
      be.addInPlace(acc, g);
    }
    return acc;
  }

  @Override
  public void close() {
    params.close();
  }

  @Override
  public String toString() {
    return "StableCascadeUNet " + config.blockOutChannels() + " from " + config.source();
  }
}
