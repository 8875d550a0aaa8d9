package org.cascadetuner.common.models.effnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * What shapes the Stage C EfficientNet encoder (spec/stage-c-architecture.md §3): the backbone's stage table, the
 * BatchNorm epsilons (torchvision's EfficientNet uses 1e-3, the mapper's plain BatchNorm2d 1e-5) and the ImageNet
 * normalisation applied to [0,1] RGB before the backbone (§3.2).
 *
 * <p>An effnet model folder holds {@value #WEIGHTS}; its stage table is efficientnet_v2_s unless the folder also holds
 * {@value #META} with a {@code tiny_stage_table} (then {@code bn_eps_backbone}, {@code bn_eps_mapper}, {@code mean},
 * {@code std} are read from it too when present).
 */
public record EffNetEncoderConfig(EffNetStageTable table, float bnEpsBackbone, float bnEpsMapper, List<Float> mean,
    List<Float> std, String source) {

  public static final String WEIGHTS = "effnet_encoder.safetensors";
  public static final String META = "meta.json";

  public static final List<Float> IMAGENET_MEAN = List.of(0.485f, 0.456f, 0.406f);
  public static final List<Float> IMAGENET_STD = List.of(0.229f, 0.224f, 0.225f);

  public EffNetEncoderConfig {
    mean = List.copyOf(mean);
    std = List.copyOf(std);
    if (mean.size() != 3 || std.size() != 3)
      throw new IllegalArgumentException(source + ": mean and std need 3 entries (RGB), got " + mean + " and " + std);
    for (float s : std)
      if (!(s > 0)) throw new IllegalArgumentException(source + ": std " + std + " must be positive");
    if (!(bnEpsBackbone > 0) || !(bnEpsMapper > 0))
      throw new IllegalArgumentException(source + ": BatchNorm eps must be positive, got backbone " + bnEpsBackbone
          + ", mapper " + bnEpsMapper);
  }

  /** The Stage C encoder: efficientnet_v2_s, eps 1e-3 / 1e-5, ImageNet mean and std. */
  public static EffNetEncoderConfig stageC() {
    return new EffNetEncoderConfig(EffNetStageTable.efficientnetV2S(), 1e-3f, 1e-5f, IMAGENET_MEAN, IMAGENET_STD,
        "efficientnet_v2_s (built in)");
  }

  /** The config of an effnet model folder (local path or Hadoop URI): meta.json when present, else {@link #stageC}. */
  public static EffNetEncoderConfig read(String folder, Configuration conf) {
    String meta = Storage.resolve(folder, META);
    if (!Storage.exists(meta, conf)) return stageC();
    try (InputStream in = Storage.open(meta, conf)) {
      return parse(new ObjectMapper().readTree(in), meta);
    } catch (IOException e) {
      throw new IllegalArgumentException(meta + ": cannot read the effnet meta.json: " + e.getMessage(), e);
    }
  }

  /** A meta.json without {@code tiny_stage_table} keeps efficientnet_v2_s. */
  public static EffNetEncoderConfig parse(JsonNode root, String source) {
    EffNetEncoderConfig d = stageC();
    JsonNode t = root.get("tiny_stage_table");
    EffNetStageTable table = t == null || t.isNull() ? d.table() : EffNetStageTable.fromJson(t, source
        + " tiny_stage_table");
    return new EffNetEncoderConfig(table, number(root, "bn_eps_backbone", d.bnEpsBackbone(), source),
        number(root, "bn_eps_mapper", d.bnEpsMapper(), source), triple(root, "mean", d.mean(), source),
        triple(root, "std", d.std(), source), source);
  }

  private static float number(JsonNode root, String key, float fallback, String source) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isNumber()) throw new IllegalArgumentException(source + ": '" + key + "' = " + v + " is not a number");
    return (float) v.asDouble();
  }

  private static List<Float> triple(JsonNode root, String key, List<Float> fallback, String source) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.isArray() || v.size() != 3)
      throw new IllegalArgumentException(source + ": '" + key + "' = " + v + " is not a list of 3 numbers (RGB)");
    Float[] out = new Float[3];
    for (int i = 0; i < 3; i++) {
      if (!v.get(i).isNumber())
        throw new IllegalArgumentException(source + ": '" + key + "' = " + v + " is not a list of 3 numbers (RGB)");
      out[i] = (float) v.get(i).asDouble();
    }
    return List.of(out);
  }
}
