package org.cascadetuner.common.io;

import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * Opens model weights the way users point at them: a {@code .safetensors} file, a {@code .safetensors.index.json},
 * or a folder holding one of the Hugging Face names ({@code diffusion_pytorch_model}, {@code model}, with or without
 * shards).
 */
public final class Checkpoints {
  private Checkpoints() {}

  /** File stems tried, in order, when a folder is given. */
  public static final List<String> STEMS = List.of("diffusion_pytorch_model", "model");

  public static TensorSource open(String uri, Configuration conf) {
    if (uri.endsWith(".safetensors")) return SafeTensors.open(uri, conf);
    if (uri.endsWith(".index.json")) return ShardedSafeTensors.open(uri, conf);
    for (String stem : STEMS) {
      String single = Storage.resolve(uri, stem + ".safetensors");
      if (Storage.exists(single, conf)) return SafeTensors.open(single, conf);
      String index = Storage.resolve(uri, stem + ".safetensors.index.json");
      if (Storage.exists(index, conf)) return ShardedSafeTensors.open(index, conf);
    }
    throw new IllegalArgumentException(uri + ": no weights found; expected a .safetensors file, a "
        + ".safetensors.index.json, or a folder with one of " + STEMS.stream().map(s -> s + ".safetensors").toList()
        + " (or its sharded index)");
  }
}
