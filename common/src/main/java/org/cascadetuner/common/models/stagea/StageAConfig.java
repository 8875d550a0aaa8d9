package org.cascadetuner.common.models.stagea;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * diffusers {@code PaellaVQModel} config (Stage A, the {@code vqgan/} subfolder of stabilityai/stable-cascade;
 * spec/decoder-architecture.md §2.1). Defaults are diffusers' constructor defaults, used for keys the file omits.
 *
 * @param scaleFactor the pipeline decodes {@code scaleFactor · latents} (0.3764 in the hub config; the original code
 *     uses 0.43, spec §2.4)
 */
public record StageAConfig(int inChannels, int outChannels, int upDownScaleFactor, int levels, int bottleneckBlocks,
    int embedDim, int latentChannels, int numVqEmbeddings, float scaleFactor, String source) {

  public static final String CONFIG = "config.json";

  public StageAConfig {
    if (inChannels < 1 || outChannels < 1 || upDownScaleFactor < 1 || levels < 1 || bottleneckBlocks < 0
        || latentChannels < 1 || numVqEmbeddings < 1)
      throw new IllegalArgumentException(source + ": in_channels, out_channels, up_down_scale_factor, levels, "
          + "latent_channels and num_vq_embeddings must be positive and bottleneck_blocks not negative");
    if (embedDim < 1 || embedDim >> (levels - 1) < 1)
      throw new IllegalArgumentException(source + ": embed_dim " + embedDim + " cannot be halved " + (levels - 1)
          + " times (levels " + levels + ")");
    if (!(scaleFactor > 0) || Float.isInfinite(scaleFactor))
      throw new IllegalArgumentException(source + ": scale_factor " + scaleFactor + " must be a positive number");
  }

  /** Channels per level, shallowest first: {@code embed_dim // 2^i} for i = levels−1 … 0. */
  public List<Integer> cLevels() {
    List<Integer> c = new ArrayList<>();
    for (int i = levels - 1; i >= 0; i--) c.add(embedDim >> i);
    return c;
  }

  /** Reads config.json from a folder, the file itself, or a pipeline folder holding {@code vqgan/config.json}. */
  public static StageAConfig read(String uri, Configuration conf) {
    String file = uri.endsWith(".json") ? uri : Storage.resolve(StageA.folderOf(uri, conf), CONFIG);
    try (InputStream in = Storage.open(file, conf)) {
      return parse(new ObjectMapper().readTree(in), file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the Stage A (PaellaVQModel) config: " + e.getMessage(),
          e);
    }
  }

  public static StageAConfig parse(JsonNode root, String source) {
    JsonNode cls = root.get("_class_name");
    if (cls != null && !cls.asText().equals("PaellaVQModel"))
      throw new IllegalArgumentException(source + ": _class_name '" + cls.asText() + "' is not PaellaVQModel (Stage A "
          + "is the vqgan subfolder of stabilityai/stable-cascade)");
    JsonNode sf = root.get("scale_factor");
    if (sf != null && !sf.isNumber())
      throw new IllegalArgumentException(source + ": 'scale_factor' = " + sf + " is not a number");
    return new StageAConfig(integer(root, "in_channels", 3, source), integer(root, "out_channels", 3, source),
        integer(root, "up_down_scale_factor", 2, source), integer(root, "levels", 2, source),
        integer(root, "bottleneck_blocks", 12, source), integer(root, "embed_dim", 384, source),
        integer(root, "latent_channels", 4, source), integer(root, "num_vq_embeddings", 8192, source),
        sf == null ? 0.3764f : (float) sf.asDouble(), source);
  }

  private static int integer(JsonNode root, String key, int fallback, String source) {
    JsonNode v = root.get(key);
    if (v == null || v.isNull()) return fallback;
    if (!v.canConvertToInt() || !v.isIntegralNumber())
      throw new IllegalArgumentException(source + ": '" + key + "' = " + v + " is not an integer");
    return v.asInt();
  }
}
