package org.cascadetuner.common.models.effnet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The inverted-residual setting of a torchvision EfficientNet (V2) {@code features}: one row per stage, as
 * torchvision's {@code FusedMBConvConfig} / {@code MBConvConfig(expand_ratio, kernel, stride, input_channels,
 * out_channels, num_layers)} with width and depth multipliers 1, plus the head width ({@code last_channel}; null means
 * 4 × the last stage's output, as torchvision does).
 *
 * <p>Channel rules follow torchvision (spec/stage-c-architecture.md §3.1): an MBConv row's channels pass through
 * {@link #makeDivisible} (a FusedMBConv row's do not), every block's expanded width is
 * {@code makeDivisible(in · expand)}, and a block without expansion (expanded == in) drops its expand convolution.
 */
public record EffNetStageTable(List<Stage> stages, Integer lastChannel) {

  /** The two block kinds of EfficientNetV2, with the names meta.json uses. */
  public enum Kind {
    FUSED("fused"), MB("mb");

    private final String key;

    Kind(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    static Kind of(String key, String where) {
      for (Kind k : values()) if (k.key.equals(key)) return k;
      throw new IllegalArgumentException(where + ": block kind '" + key + "' is not one of 'fused', 'mb'");
    }
  }

  /** One stage: {@code layers} blocks, the first with {@code stride} and {@code in} channels, the rest stride 1. */
  public record Stage(Kind kind, double expand, int kernel, int stride, int in, int out, int layers) {
    public Stage {
      if (expand <= 0 || kernel < 1 || kernel % 2 == 0 || stride < 1 || stride > 2 || in < 1 || out < 1 || layers < 1)
        throw new IllegalArgumentException("invalid EfficientNet stage " + kind.key() + " expand=" + expand
            + " kernel=" + kernel + " stride=" + stride + " in=" + in + " out=" + out + " layers=" + layers
            + " (allowed: expand > 0, odd kernel, stride 1 or 2, positive channels and layers)");
    }

    /** Input channels after torchvision's config adjustment (MBConvConfig rounds to multiples of 8). */
    public int inChannels() {
      return kind == Kind.MB ? makeDivisible(in) : in;
    }

    public int outChannels() {
      return kind == Kind.MB ? makeDivisible(out) : out;
    }
  }

  public EffNetStageTable {
    if (stages.isEmpty()) throw new IllegalArgumentException("an EfficientNet stage table needs at least one stage");
    stages = List.copyOf(stages);
    if (lastChannel != null && lastChannel < 1)
      throw new IllegalArgumentException("last_channel " + lastChannel + " must be positive");
  }

  /** torchvision {@code efficientnet_v2_s} (the Stage C encoder's backbone). */
  public static EffNetStageTable efficientnetV2S() {
    return new EffNetStageTable(List.of(
        new Stage(Kind.FUSED, 1, 3, 1, 24, 24, 2),
        new Stage(Kind.FUSED, 4, 3, 2, 24, 48, 4),
        new Stage(Kind.FUSED, 4, 3, 2, 48, 64, 4),
        new Stage(Kind.MB, 4, 3, 2, 64, 128, 6),
        new Stage(Kind.MB, 6, 3, 1, 128, 160, 9),
        new Stage(Kind.MB, 6, 3, 2, 160, 256, 15)), 1280);
  }

  /**
   * Parses {@code {"stages": [[kind, expand, kernel, stride, in, out, layers], ...], "last_channel": n}} (the
   * {@code tiny_stage_table} of an effnet folder's meta.json).
   */
  public static EffNetStageTable fromJson(JsonNode node, String where) {
    JsonNode rows = node.get("stages");
    if (rows == null || !rows.isArray() || rows.isEmpty())
      throw new IllegalArgumentException(where + ": 'stages' must be a non-empty list of [kind, expand, kernel, "
          + "stride, in, out, layers]");
    List<Stage> stages = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      JsonNode r = rows.get(i);
      String at = where + ": stages[" + i + "]";
      if (!r.isArray() || r.size() != 7 || !r.get(0).isTextual())
        throw new IllegalArgumentException(at + " = " + r + " is not [kind, expand, kernel, stride, in, out, layers]");
      for (int j = 1; j < 7; j++)
        if (!r.get(j).isNumber() || (j > 1 && !r.get(j).canConvertToInt()))
          throw new IllegalArgumentException(at + " = " + r + ": entry " + j + " is not a number"
              + (j > 1 ? " (an integer)" : ""));
      try {
        stages.add(new Stage(Kind.of(r.get(0).asText(), at), r.get(1).asDouble(), r.get(2).asInt(), r.get(3).asInt(),
            r.get(4).asInt(), r.get(5).asInt(), r.get(6).asInt()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
      }
    }
    JsonNode last = node.get("last_channel");
    if (last != null && !last.isNull() && !last.canConvertToInt())
      throw new IllegalArgumentException(where + ": 'last_channel' = " + last + " is not an integer");
    return new EffNetStageTable(stages, last == null || last.isNull() ? null : last.asInt());
  }

  /** Stem output width: the first stage's (adjusted) input. */
  public int stemChannels() {
    return stages.get(0).inChannels();
  }

  /** Head input: the last stage's (adjusted) output. */
  public int headInChannels() {
    return stages.get(stages.size() - 1).outChannels();
  }

  /** Head output, the backbone's width. */
  public int headOutChannels() {
    return lastChannel != null ? lastChannel : 4 * headInChannels();
  }

  /** Total down-sampling: the stem's 2 times every stage stride. */
  public int downsampling() {
    int f = 2;
    for (Stage s : stages) f *= s.stride();
    return f;
  }

  /** torchvision {@code _make_divisible(v, 8)}: nearest multiple of 8, at least 8, never more than 10% below v. */
  public static int makeDivisible(double v) {
    int d = 8;
    int rounded = Math.max(d, (int) (v + d / 2.0) / d * d);
    return rounded < 0.9 * v ? rounded + d : rounded;
  }
}
