package org.cascadetuner.common.models.effnet;

import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.models.ModelRunner;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * {@code forward --model effnet}: {@code image01} [B, 3, H, W] (RGB in [0, 1]) → {@code latent} [B, c_latent, H/32,
 * W/32], the ImageNet normalisation included. The weights folder holds {@value EffNetEncoderConfig#WEIGHTS} and, for
 * a stage table other than efficientnet_v2_s, a {@value EffNetEncoderConfig#META}.
 */
public final class EffNetRunner implements ModelRunner {

  @Override
  public String name() {
    return "effnet";
  }

  @Override
  public String describe() {
    return "image01 (RGB in [0,1], NCHW) -> latent";
  }

  @Override
  public List<Output> run(String weights, TensorSource inputs, String lora, Backend backend, Configuration conf) {
    if (lora != null)
      throw new IllegalArgumentException("--lora is not supported for effnet (the encoder is frozen)");
    if (!inputs.contains("image01"))
      throw new IllegalArgumentException("inputs have no 'image01' (they have " + inputs.names() + ")");
    long[] shape = inputs.info("image01").shape();
    if (shape.length != 4 || shape[1] != 3)
      throw new IllegalArgumentException("image01 must be RGB images [batch, 3, height, width], got "
          + Arrays.toString(shape));
    try (EffNetEncoder model = EffNetEncoder.load(weights, conf, backend);
        Tensor image = backend.load(inputs, "image01"); Tensor latent = model.encode(image)) {
      return List.of(new Output("latent", latent.toFloats(), latent.shape()));
    }
  }
}
