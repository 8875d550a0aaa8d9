package org.cascadetuner.common.models.stagec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * The dimensions of a Stage C prior ({@code StableCascadeUNet}), as diffusers' {@code config.json} states them (or the
 * original {@code StageC} constructor arguments, {@link #fromOriginalKwargs}). Keys a file omits take diffusers'
 * constructor defaults. Lists indexed by level run shallowest first, except the two up-path lists
 * ({@code up_num_layers_per_block}, {@code up_blocks_repeat_mappers}), which run deepest first as in diffusers; use
 * {@link #upLayers(int)} and {@link #upRepeats(int)} rather than indexing them.
 *
 * <p>Only the prior's level changes are supported ({@code switch_level} all false: LayerNorm2d + 1×1 conv between
 * levels at one resolution); the decoder's strided or bilinear levels and its effnet/pixel mappers are refused.
 */
public record StableCascadeUNetConfig(int inChannels, int outChannels, int timestepRatioEmbeddingDim, int patchSize,
    int conditioningDim, List<Integer> blockOutChannels, List<Integer> numAttentionHeads,
    List<Integer> downNumLayersPerBlock, List<Integer> upNumLayersPerBlock, List<Integer> downBlocksRepeatMappers,
    List<Integer> upBlocksRepeatMappers, List<List<BlockType>> blockTypesPerLayer, Integer clipTextInChannels,
    int clipTextPooledInChannels, Integer clipImageInChannels, int clipSeq, int kernelSize, List<Double> dropout,
    List<Boolean> selfAttn, List<String> timestepConditioningType, List<Boolean> switchLevel, String source) {

  /** max_positions of the sinusoidal timestep-ratio embedding (fixed in both implementations). */
  public static final float MAX_POSITIONS = 10000f;
  /** eps of every LayerNorm in the UNet (none has affine parameters). */
  public static final float NORM_EPS = 1e-6f;

  public StableCascadeUNetConfig {
    blockOutChannels = List.copyOf(blockOutChannels);
    numAttentionHeads = List.copyOf(numAttentionHeads);
    downNumLayersPerBlock = List.copyOf(downNumLayersPerBlock);
    upNumLayersPerBlock = List.copyOf(upNumLayersPerBlock);
    downBlocksRepeatMappers = List.copyOf(downBlocksRepeatMappers);
    upBlocksRepeatMappers = List.copyOf(upBlocksRepeatMappers);
    blockTypesPerLayer = blockTypesPerLayer.stream().map(List::copyOf).toList();
    dropout = List.copyOf(dropout);
    selfAttn = List.copyOf(selfAttn);
    timestepConditioningType = List.copyOf(timestepConditioningType);
    switchLevel = List.copyOf(switchLevel);
    int levels = blockOutChannels.size();
    if (levels == 0) throw new IllegalArgumentException(source + ": block_out_channels is empty");
    sameLength(source, levels, "num_attention_heads", numAttentionHeads.size());
    sameLength(source, levels, "down_num_layers_per_block", downNumLayersPerBlock.size());
    sameLength(source, levels, "up_num_layers_per_block", upNumLayersPerBlock.size());
    sameLength(source, levels, "down_blocks_repeat_mappers", downBlocksRepeatMappers.size());
    sameLength(source, levels, "up_blocks_repeat_mappers", upBlocksRepeatMappers.size());
    sameLength(source, levels, "block_types_per_layer", blockTypesPerLayer.size());
    sameLength(source, levels, "dropout", dropout.size());
    sameLength(source, levels, "self_attn", selfAttn.size());
    positive(source, "in_channels", inChannels);
    positive(source, "out_channels", outChannels);
    positive(source, "patch_size", patchSize);
    positive(source, "conditioning_dim", conditioningDim);
    positive(source, "clip_text_pooled_in_channels", clipTextPooledInChannels);
    positive(source, "clip_seq", clipSeq);
    if (timestepRatioEmbeddingDim < 4)
      throw new IllegalArgumentException(source + ": timestep_ratio_embedding_dim " + timestepRatioEmbeddingDim
          + " must be at least 4");
    if (kernelSize < 1 || kernelSize % 2 == 0)
      throw new IllegalArgumentException(source + ": kernel_size " + kernelSize + " must be odd (padding k/2 keeps "
          + "the grid)");
    for (int i = 0; i < levels; i++) {
      positive(source, "block_out_channels[" + i + "]", blockOutChannels.get(i));
      if (downNumLayersPerBlock.get(i) < 0 || upNumLayersPerBlock.get(i) < 0)
        throw new IllegalArgumentException(source + ": layer counts must not be negative");
      positive(source, "down_blocks_repeat_mappers[" + i + "]", downBlocksRepeatMappers.get(i));
      positive(source, "up_blocks_repeat_mappers[" + i + "]", upBlocksRepeatMappers.get(i));
      double p = dropout.get(i);
      if (p < 0 || p >= 1)
        throw new IllegalArgumentException(source + ": dropout[" + i + "] = " + p + " is outside [0, 1)");
      if (blockTypesPerLayer.get(i).contains(BlockType.ATTN)) {
        int heads = numAttentionHeads.get(i);
        if (heads <= 0 || blockOutChannels.get(i) % heads != 0)
          throw new IllegalArgumentException(source + ": level " + i + " has attention blocks but "
              + "num_attention_heads[" + i + "] = " + heads + " does not divide block_out_channels[" + i + "] = "
              + blockOutChannels.get(i));
      }
    }
    if (switchLevel.size() < levels - 1 || switchLevel.subList(0, levels - 1).contains(Boolean.TRUE))
      throw new IllegalArgumentException(source + ": switch_level " + switchLevel + " is not supported; the Stage C "
          + "prior uses [false] for each of its " + (levels - 1) + " level changes (a 1x1 conv at the same "
          + "resolution); strided (null) and bilinear (true) level changes are Stage B's");
    if ((clipTextInChannels == null) != (clipImageInChannels == null))
      throw new IllegalArgumentException(source + ": clip_text_in_channels and clip_image_in_channels must be both "
          + "set (the prior) or both null (pooled text only)");
  }

  private static void sameLength(String source, int levels, String key, int n) {
    if (n != levels)
      throw new IllegalArgumentException(source + ": " + key + " has " + n + " entries but block_out_channels has "
          + levels);
  }

  private static void positive(String source, String key, int v) {
    if (v <= 0) throw new IllegalArgumentException(source + ": " + key + " = " + v + " must be positive");
  }

  public int levels() {
    return blockOutChannels.size();
  }

  public int channels(int level) {
    return blockOutChannels.get(level);
  }

  /** Layers (repetitions of the level's block types) of the up path at {@code level} (0 = shallowest). */
  public int upLayers(int level) {
    return upNumLayersPerBlock.get(levels() - 1 - level);
  }

  /** Passes over the up path's blocks at {@code level} (0 = shallowest). */
  public int upRepeats(int level) {
    return upBlocksRepeatMappers.get(levels() - 1 - level);
  }

  public int downRepeats(int level) {
    return downBlocksRepeatMappers.get(level);
  }

  /** Width of the r embedding the TimestepBlocks read: the ratio and each extra condition, c_r each. */
  public int rEmbeddingWidth() {
    return timestepRatioEmbeddingDim * (1 + timestepConditioningType.size());
  }

  /** Whether the conditioning uses text tokens and image embeddings besides the pooled text (the prior does). */
  public boolean hasTextAndImageConditioning() {
    return clipTextInChannels != null;
  }

  // ---------------------------------------------------------------- reading

  /** Reads {@code config.json} from a model folder or the file itself (local path or Hadoop URI). */
  public static StableCascadeUNetConfig read(String uri, Configuration conf) {
    String file = uri.endsWith(".json") ? uri : Storage.resolve(uri, "config.json");
    JsonNode root;
    try (InputStream in = Storage.open(file, conf)) {
      root = new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the Stage C config: " + e.getMessage(), e);
    }
    return file.endsWith("original_stage_c_kwargs.json") ? fromOriginalKwargs(root, file) : parse(root, file);
  }

  /** A diffusers {@code StableCascadeUNet} config. */
  public static StableCascadeUNetConfig parse(JsonNode root, String source) {
    if (root == null || !root.isObject()) throw new IllegalArgumentException(source + ": not a JSON object");
    Json j = new Json(root, source);
    if (!j.isNull("effnet_in_channels") || !j.isNull("pixel_mapper_in_channels"))
      throw new IllegalArgumentException(source + ": effnet_in_channels / pixel_mapper_in_channels are set: this is "
          + "a Stage B decoder config, not the Stage C prior");
    List<Integer> channels = j.ints("block_out_channels", List.of(2048, 2048));
    int levels = channels.size();
    List<List<BlockType>> types = new ArrayList<>();
    JsonNode t = root.get("block_types_per_layer");
    if (t == null || t.isNull()) {
      for (int i = 0; i < levels; i++) types.add(List.of(BlockType.RES, BlockType.TIMESTEP, BlockType.ATTN));
    } else {
      if (!t.isArray()) throw new IllegalArgumentException(source + ": block_types_per_layer must be a list of lists");
      for (JsonNode level : t) {
        List<BlockType> l = new ArrayList<>();
        for (JsonNode name : level) l.add(BlockType.ofDiffusersName(name.asText(), source));
        types.add(l);
      }
    }
    return new StableCascadeUNetConfig(j.integer("in_channels", 16), j.integer("out_channels", 16),
        j.integer("timestep_ratio_embedding_dim", 64), j.integer("patch_size", 1),
        j.integer("conditioning_dim", 2048), channels, j.ints("num_attention_heads", List.of(32, 32)),
        j.ints("down_num_layers_per_block", List.of(8, 24)), j.ints("up_num_layers_per_block", List.of(24, 8)),
        j.intsOrOnes("down_blocks_repeat_mappers", levels), j.intsOrOnes("up_blocks_repeat_mappers", levels), types,
        j.optionalInt("clip_text_in_channels"), j.integer("clip_text_pooled_in_channels", 1280),
        j.optionalInt("clip_image_in_channels"), j.integer("clip_seq", 4), j.integer("kernel_size", 3),
        j.perLevel("dropout", levels, 0.1, JsonNode::asDouble, JsonNode::isNumber),
        j.perLevel("self_attn", levels, true, JsonNode::asBoolean, JsonNode::isBoolean),
        j.strings("timestep_conditioning_type", List.of("sca", "crp")), j.switchLevel(), source);
  }

  /**
   * The original {@code StageC(**kwargs)} arguments ({@code original_stage_c_kwargs.json}); missing keys take
   * {@code StageC}'s defaults (the 3.6B prior).
   */
  public static StableCascadeUNetConfig fromOriginalKwargs(JsonNode root, String source) {
    if (root == null || !root.isObject()) throw new IllegalArgumentException(source + ": not a JSON object");
    Json j = new Json(root, source);
    List<Integer> channels = j.ints("c_hidden", List.of(2048, 2048));
    int levels = channels.size();
    List<List<Integer>> blocks = j.pair("blocks", List.of(List.of(8, 24), List.of(24, 8)));
    List<List<Integer>> repeat = j.pair("block_repeat", List.of(Collections.nCopies(levels, 1),
        Collections.nCopies(levels, 1)));
    List<List<BlockType>> types = new ArrayList<>();
    for (String letters : j.strings("level_config", List.of("CTA", "CTA"))) {
      List<BlockType> l = new ArrayList<>();
      for (char c : letters.toCharArray()) l.add(BlockType.ofLetter(c, source));
      types.add(l);
    }
    return new StableCascadeUNetConfig(j.integer("c_in", 16), j.integer("c_out", 16), j.integer("c_r", 64),
        j.integer("patch_size", 1), j.integer("c_cond", 2048), channels, j.ints("nhead", List.of(32, 32)),
        blocks.get(0), blocks.get(1), repeat.get(0), repeat.get(1), types, j.integer("c_clip_text", 1280),
        j.integer("c_clip_text_pooled", 1280), j.integer("c_clip_img", 768), j.integer("c_clip_seq", 4),
        j.integer("kernel_size", 3), j.perLevel("dropout", levels, 0.1, JsonNode::asDouble, JsonNode::isNumber),
        j.perLevel("self_attn", levels, true, JsonNode::asBoolean, JsonNode::isBoolean),
        j.strings("t_conds", List.of("sca", "crp")), j.switchLevelOr(List.of(false)), source);
  }

  /** Typed reads with defaults and errors that name the key. */
  private record Json(JsonNode root, String source) {
    boolean isNull(String key) {
      return root.get(key) == null || root.get(key).isNull();
    }

    int integer(String key, int dflt) {
      if (isNull(key)) return dflt;
      JsonNode v = root.get(key);
      if (!v.canConvertToInt() || !v.isIntegralNumber())
        throw new IllegalArgumentException(source + ": '" + key + "' = " + v + " is not an integer");
      return v.asInt();
    }

    Integer optionalInt(String key) {
      return isNull(key) ? null : integer(key, 0);
    }

    List<Integer> ints(String key, List<Integer> dflt) {
      if (isNull(key)) return dflt;
      return intList(root.get(key), key);
    }

    List<Integer> intList(JsonNode v, String key) {
      if (!v.isArray()) throw new IllegalArgumentException(source + ": '" + key + "' = " + v + " is not a list");
      List<Integer> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isIntegralNumber())
          throw new IllegalArgumentException(source + ": '" + key + "' holds " + e + ", not an integer");
        out.add(e.asInt());
      }
      return out;
    }

    List<Integer> intsOrOnes(String key, int levels) {
      return isNull(key) ? Collections.nCopies(levels, 1) : ints(key, null);
    }

    List<List<Integer>> pair(String key, List<List<Integer>> dflt) {
      if (isNull(key)) return dflt;
      JsonNode v = root.get(key);
      if (!v.isArray() || v.size() != 2)
        throw new IllegalArgumentException(source + ": '" + key + "' must be [[down...], [up...]], got " + v);
      return List.of(intList(v.get(0), key + "[0]"), intList(v.get(1), key + "[1]"));
    }

    List<String> strings(String key, List<String> dflt) {
      if (isNull(key)) return dflt;
      JsonNode v = root.get(key);
      if (!v.isArray()) throw new IllegalArgumentException(source + ": '" + key + "' = " + v + " is not a list");
      List<String> out = new ArrayList<>();
      for (JsonNode e : v) out.add(e.asText());
      return out;
    }

    /** A scalar applied to every level, or one value per level. */
    <T> List<T> perLevel(String key, int levels, T dflt, Function<JsonNode, T> read,
        java.util.function.Predicate<JsonNode> valid) {
      if (isNull(key)) return Collections.nCopies(levels, dflt);
      JsonNode v = root.get(key);
      if (!v.isArray()) {
        if (!valid.test(v)) throw new IllegalArgumentException(source + ": '" + key + "' = " + v + " is not valid");
        return Collections.nCopies(levels, read.apply(v));
      }
      List<T> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!valid.test(e)) throw new IllegalArgumentException(source + ": '" + key + "' holds " + e);
        out.add(read.apply(e));
      }
      return out;
    }

    List<Boolean> switchLevel() {
      if (isNull("switch_level"))
        throw new IllegalArgumentException(source + ": switch_level is null (diffusers' default: strided Conv2d / "
            + "ConvTranspose2d level changes, the Stage B decoder); the Stage C prior has switch_level [false]");
      return switchLevelOr(null);
    }

    List<Boolean> switchLevelOr(List<Boolean> dflt) {
      if (isNull("switch_level")) return dflt;
      JsonNode v = root.get("switch_level");
      if (!v.isArray()) throw new IllegalArgumentException(source + ": 'switch_level' = " + v + " is not a list");
      List<Boolean> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isBoolean()) throw new IllegalArgumentException(source + ": 'switch_level' holds " + e);
        out.add(e.asBoolean());
      }
      return out;
    }
  }
}
