package org.cascadetuner.common.models.stagea;

import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.models.ModelRunner;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * {@code forward --model stage-a}: {@code latents} [B, latent, h, w] (unscaled, as Stage A's encoder gives them) →
 * {@code decoded} [B, out, 4h, 4w], the decode without quantisation that the decoder pipeline uses (the pipeline
 * first multiplies Stage B latents by scale_factor and clamps the result; this runner does neither).
 */
public final class StageARunner implements ModelRunner {

  @Override
  public String name() {
    return "stage-a";
  }

  @Override
  public String describe() {
    return "latents -> decoded (Stage A decode, no quantisation)";
  }

  @Override
  public List<Output> run(String weights, TensorSource inputs, String lora, Backend backend, Configuration conf) {
    if (lora != null)
      throw new IllegalArgumentException("--lora is not supported for stage-a (Stage A is frozen)");
    if (!inputs.contains("latents"))
      throw new IllegalArgumentException("inputs have no 'latents' (they have " + inputs.names() + ")");
    long[] shape = inputs.info("latents").shape();
    if (shape.length != 4)
      throw new IllegalArgumentException("latents must be [batch, channels, height, width], got "
          + Arrays.toString(shape));
    try (StageA model = StageA.load(weights, conf, backend); Tensor latents = backend.load(inputs, "latents");
        Tensor decoded = model.decodeEach(latents)) {
      return List.of(new Output("decoded", decoded.toFloats(), decoded.shape()));
    }
  }
}
