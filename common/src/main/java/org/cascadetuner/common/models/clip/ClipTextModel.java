package org.cascadetuner.common.models.clip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Checkpoints;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.nn.AttentionMasks;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.Embedding;
import org.cascadetuner.common.nn.layers.LayerNorm;
import org.cascadetuner.common.nn.layers.Linear;
import org.cascadetuner.common.nn.layers.MultiHeadAttention;

/**
 * Hugging Face {@code CLIPTextModelWithProjection} (CLIP-G for Stable Cascade), built from its config and weights by
 * their HF names. Frozen in training, so inference only. Pre-LN transformer:
 * {@code h = h + out_proj(MHA(LN1(h)))}, {@code h = h + fc2(act(fc1(LN2(h))))}, causal mask plus key padding.
 * Stage C consumes {@code hidden_states[-1]} (before the final LayerNorm) and the projected EOS token.
 */
public final class ClipTextModel implements AutoCloseable {

  /** Every output of one forward; closes all its tensors. */
  public record Output(List<Tensor> hiddenStates, Tensor lastHiddenState, Tensor pooled, Tensor textEmbeds,
      int[] eosPositions) implements AutoCloseable {

    /** {@code hidden_states[-1]}: the last layer's raw output [B, T, hidden], what Stage C reads as clip_text. */
    public Tensor clipText() {
      return hiddenStates.get(hiddenStates.size() - 1);
    }

    /** {@code text_embeds} as [B, 1, projection] (Stage C's clip_text_pooled); a new handle the caller closes. */
    public Tensor clipTextPooled() {
      return textEmbeds.backend().reshape(textEmbeds, textEmbeds.size(0), 1, textEmbeds.size(1));
    }

    @Override
    public void close() {
      for (Tensor t : hiddenStates) t.close();
      lastHiddenState.close();
      pooled.close();
      textEmbeds.close();
    }
  }

  private record EncoderLayer(LayerNorm ln1, MultiHeadAttention attn, LayerNorm ln2, Linear fc1, Linear fc2) {}

  private final ClipTextModelConfig config;
  private final Backend backend;
  private final ParameterStore params;
  private final Embedding tokenEmbedding;
  private final Tensor positionEmbedding;
  private final List<EncoderLayer> layers = new ArrayList<>();
  private final LayerNorm finalLayerNorm;
  private final Linear textProjection;

  public ClipTextModel(ClipTextModelConfig config, TensorSource weights, Backend backend, String where) {
    this.config = config;
    this.backend = backend;
    this.params = ParameterStore.frozen(backend, weights, where);
    long h = config.hiddenSize(), ff = config.intermediateSize();
    float eps = config.layerNormEps();
    String p = "text_model.";
    tokenEmbedding = Embedding.load(params, p + "embeddings.token_embedding.weight", config.vocabSize(), h);
    positionEmbedding = params.load(p + "embeddings.position_embedding.weight", config.maxPositionEmbeddings(), h)
        .value();
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      String l = p + "encoder.layers." + i + ".";
      String a = l + "self_attn.";
      MultiHeadAttention attn = new MultiHeadAttention(Linear.load(params, a + "q_proj", h, h, true),
          Linear.load(params, a + "k_proj", h, h, true), Linear.load(params, a + "v_proj", h, h, true),
          Linear.load(params, a + "out_proj", h, h, true), config.numAttentionHeads());
      layers.add(new EncoderLayer(LayerNorm.load(params, l + "layer_norm1", h, eps), attn,
          LayerNorm.load(params, l + "layer_norm2", h, eps), Linear.load(params, l + "mlp.fc1", h, ff, true),
          Linear.load(params, l + "mlp.fc2", ff, h, true)));
    }
    finalLayerNorm = LayerNorm.load(params, p + "final_layer_norm", h, eps);
    textProjection = Linear.load(params, "text_projection", h, config.projectionDim(), false);
  }

  /** Loads config.json and the weights (single file or sharded index) from a model folder. */
  public static ClipTextModel load(String folder, Configuration conf, Backend backend) {
    ClipTextModelConfig config = ClipTextModelConfig.read(folder, conf);
    try (TensorSource weights = Checkpoints.open(folder, conf)) {
      return new ClipTextModel(config, weights, backend, folder);
    }
  }

  public ClipTextModelConfig config() {
    return config;
  }

  public ParameterStore parameters() {
    return params;
  }

  /**
   * Encodes token ids [B, T] (row-major). {@code attentionMask} [B, T] (1 = token, 0 = padding) or null: without it
   * only the causal mask applies, as in HF when no mask is passed.
   */
  public Output forward(long[] inputIds, long[] attentionMask, int batch) {
    if (inputIds.length % batch != 0)
      throw new IllegalArgumentException(inputIds.length + " token ids do not split into " + batch + " rows");
    int t = inputIds.length / batch;
    if (t > config.maxPositionEmbeddings())
      throw new IllegalArgumentException("sequence of " + t + " tokens exceeds max_position_embeddings "
          + config.maxPositionEmbeddings() + " of " + config.source());
    if (attentionMask != null && attentionMask.length != inputIds.length)
      throw new IllegalArgumentException("attention_mask has " + attentionMask.length + " entries, input_ids "
          + inputIds.length);
    int[] ids = new int[inputIds.length];
    for (int i = 0; i < ids.length; i++) {
      if (inputIds[i] < 0 || inputIds[i] >= config.vocabSize())
        throw new IllegalArgumentException("token id " + inputIds[i] + " at " + i + " outside the vocabulary of "
            + config.vocabSize());
      ids[i] = (int) inputIds[i];
    }
    long h = config.hiddenSize();
    List<Tensor> hidden = new ArrayList<>(layers.size() + 1);
    try (Tensor tok = tokenEmbedding.forward(ids, new long[] {batch, t}, Tape.NONE);
        Tensor pos = backend.slice(positionEmbedding, 0, 0, t)) {
      hidden.add(backend.add(tok, pos));
    }
    try (Tensor mask = AttentionMasks.causal(backend, attentionMask, batch, t)) {
      for (EncoderLayer layer : layers) hidden.add(encoderLayer(layer, hidden.get(hidden.size() - 1), mask));
    }
    Tensor last = finalLayerNorm.forward(hidden.get(hidden.size() - 1), Tape.NONE);
    int[] eos = eosPositions(inputIds, batch, t);
    int[] flat = new int[batch];
    for (int b = 0; b < batch; b++) flat[b] = b * t + eos[b];
    Tensor pooled;
    try (Tensor rows = backend.reshape(last, (long) batch * t, h)) {
      pooled = backend.gatherRows(rows, flat);
    }
    Tensor embeds = textProjection.forward(pooled, Tape.NONE);
    return new Output(hidden, last, pooled, embeds, eos);
  }

  private Tensor encoderLayer(EncoderLayer l, Tensor h, Tensor mask) {
    Tensor mid;
    try (Tensor x = l.ln1().forward(h, Tape.NONE); Tensor a = l.attn().forward(x, x, mask, Tape.NONE)) {
      mid = backend.add(h, a);
    }
    try (mid; Tensor x = l.ln2().forward(mid, Tape.NONE); Tensor f1 = l.fc1().forward(x, Tape.NONE);
        Tensor act = activation(backend, config.hiddenAct(), f1); Tensor f2 = l.fc2().forward(act, Tape.NONE)) {
      return backend.add(mid, f2);
    }
  }

  /** {@code gelu}: exact erf GELU; {@code quick_gelu}: x·sigmoid(1.702·x) (OpenAI CLIP). */
  static Tensor activation(Backend backend, String hiddenAct, Tensor x) {
    if (hiddenAct.equals("gelu")) return backend.gelu(x);
    try (Tensor s = backend.mul(x, 1.702f); Tensor sig = backend.sigmoid(s)) {
      return backend.mul(x, sig);
    }
  }

  /** Pooling positions: the first {@code eos_token_id} of each row (argmax of the ids for the legacy id 2). */
  int[] eosPositions(long[] ids, int batch, int t) {
    int[] pos = new int[batch];
    for (int b = 0; b < batch; b++) {
      int best = 0;
      for (int i = 0; i < t; i++) {
        long id = ids[b * t + i];
        if (config.eosTokenId() == 2) {
          if (id > ids[b * t + best]) best = i;
        } else if (id == config.eosTokenId()) {
          best = i;
          break;
        }
      }
      pos[b] = best;
    }
    return pos;
  }

  @Override
  public void close() {
    params.close();
  }

  @Override
  public String toString() {
    return "CLIPTextModelWithProjection " + config + " " + Arrays.toString(new long[] {params.parameterCount()});
  }
}
