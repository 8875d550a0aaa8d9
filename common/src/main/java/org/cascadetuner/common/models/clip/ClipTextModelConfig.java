package org.cascadetuner.common.models.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * The dimensions of a Hugging Face {@code CLIPTextModelWithProjection}, read from its {@code config.json} (a
 * {@code clip_text_model} config, or a full {@code clip} config whose {@code text_config} holds them).
 *
 * @param hiddenAct {@code gelu} (exact erf GELU, CLIP-G) or {@code quick_gelu} (x·sigmoid(1.702·x), OpenAI CLIP)
 * @param eosTokenId pooling position: the first occurrence of this id; the legacy value 2 means argmax of the ids
 */
public record ClipTextModelConfig(int vocabSize, int hiddenSize, int numHiddenLayers, int numAttentionHeads,
    int intermediateSize, int maxPositionEmbeddings, int projectionDim, float layerNormEps, String hiddenAct,
    int eosTokenId, String source) {

  public ClipTextModelConfig {
    if (!hiddenAct.equals("gelu") && !hiddenAct.equals("quick_gelu"))
      throw new IllegalArgumentException(source + ": hidden_act '" + hiddenAct + "' is not supported; allowed: gelu, "
          + "quick_gelu");
    if (hiddenSize % numAttentionHeads != 0)
      throw new IllegalArgumentException(source + ": hidden_size " + hiddenSize + " is not a multiple of "
          + "num_attention_heads " + numAttentionHeads);
  }

  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /** Reads {@code config.json} from a model folder or the file itself (local path or Hadoop URI). */
  public static ClipTextModelConfig read(String uri, Configuration conf) {
    String file = uri.endsWith(".json") ? uri : Storage.resolve(uri, "config.json");
    try (InputStream in = Storage.open(file, conf)) {
      return parse(new ObjectMapper().readTree(in), file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the CLIP text config: " + e.getMessage(), e);
    }
  }

  public static ClipTextModelConfig parse(JsonNode root, String source) {
    JsonNode t = root.has("text_config") ? root.get("text_config") : root;
    int projection = root.has("projection_dim") ? root.get("projection_dim").asInt() : required(t, "projection_dim", source);
    return new ClipTextModelConfig(required(t, "vocab_size", source), required(t, "hidden_size", source),
        required(t, "num_hidden_layers", source), required(t, "num_attention_heads", source),
        required(t, "intermediate_size", source), required(t, "max_position_embeddings", source), projection,
        t.has("layer_norm_eps") ? (float) t.get("layer_norm_eps").asDouble() : 1e-5f,
        t.has("hidden_act") ? t.get("hidden_act").asText() : "quick_gelu",
        t.has("eos_token_id") ? t.get("eos_token_id").asInt() : 2, source);
  }

  private static int required(JsonNode n, String key, String source) {
    JsonNode v = n.get(key);
    if (v == null || !v.canConvertToInt())
      throw new IllegalArgumentException(source + ": '" + key + "' is missing or not an integer");
    return v.asInt();
  }
}
