package org.cascadetuner.common.models.clip;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.models.ModelRunner;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * {@code forward --model clip-text}: {@code input_ids} [B, T] and optional {@code attention_mask} [B, T] →
 * {@code clip_text} (hidden_states[-1]), {@code clip_text_pooled} [B, 1, P], {@code last_hidden_state},
 * {@code text_embeds}.
 */
public final class ClipTextModelRunner implements ModelRunner {

  @Override
  public String name() {
    return "clip-text";
  }

  @Override
  public String describe() {
    return "input_ids, attention_mask -> clip_text, clip_text_pooled, last_hidden_state, text_embeds";
  }

  @Override
  public List<Output> run(String weights, TensorSource inputs, String lora, Backend backend, Configuration conf) {
    if (lora != null)
      throw new IllegalArgumentException("--lora is not supported for clip-text (the text encoder is frozen)");
    if (!inputs.contains("input_ids"))
      throw new IllegalArgumentException("inputs have no 'input_ids' (they have " + inputs.names() + ")");
    long[] shape = inputs.info("input_ids").shape();
    if (shape.length != 2) throw new IllegalArgumentException("input_ids must be [batch, tokens], got "
        + java.util.Arrays.toString(shape));
    long[] mask = null;
    if (inputs.contains("attention_mask")) {
      if (!java.util.Arrays.equals(shape, inputs.info("attention_mask").shape()))
        throw new IllegalArgumentException("attention_mask shape " + java.util.Arrays.toString(
            inputs.info("attention_mask").shape()) + " differs from input_ids " + java.util.Arrays.toString(shape));
      mask = inputs.longs("attention_mask");
    }
    try (ClipTextModel model = ClipTextModel.load(weights, conf, backend);
        ClipTextModel.Output out = model.forward(inputs.longs("input_ids"), mask, (int) shape[0]);
        Tensor pooled = out.clipTextPooled()) {
      return List.of(output("clip_text", out.clipText()), output("clip_text_pooled", pooled),
          output("last_hidden_state", out.lastHiddenState()), output("text_embeds", out.textEmbeds()));
    }
  }

  private static Output output(String name, Tensor t) {
    return new Output(name, t.toFloats(), t.shape());
  }
}
