package org.cascadetuner.common.models.stagec;

import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Checkpoints;
import org.cascadetuner.common.io.Storage;
import org.cascadetuner.common.io.TensorSource;

/**
 * Where a Stage C model's config and weights are, from what a user names: the repository root laid out as
 * {@code stabilityai/stable-cascade-prior} plus a flavour ({@code stage-c} → {@code prior/}, {@code stage-c-lite} →
 * {@code prior_lite/}), the subfolder itself (config.json + weights), or a weights file beside its config.json.
 * Weights may be diffusers-named (single file or sharded), the hub's {@code .bf16} variant, or the original
 * single-file naming (mapped at load, {@link StageCWeightNames}).
 */
public record StageCModelFolder(String configUri, String weightsUri) {

  /** SimpleTuner's flavours of the stable_cascade family and their hub subfolders. */
  public static final Map<String, String> FLAVOURS = Map.of("stage-c", "prior", "stage-c-lite", "prior_lite");

  /** Weight files tried in a folder after {@link Checkpoints#STEMS}: the hub's bf16 variant. */
  static final List<String> VARIANTS = List.of("diffusion_pytorch_model.bf16.safetensors");

  /** @param flavour {@code stage-c} or {@code stage-c-lite}; used only when {@code path} is a repository root */
  public static StageCModelFolder resolve(String path, String flavour, Configuration conf) {
    if (path.endsWith(".safetensors") || path.endsWith(".index.json")) {
      int slash = path.lastIndexOf('/');
      String dir = slash < 0 ? "." : path.substring(0, slash);
      String config = Storage.resolve(dir, "config.json");
      if (!Storage.exists(config, conf))
        throw new IllegalArgumentException(path + ": no config.json beside the weights (" + config + ")");
      return new StageCModelFolder(config, path);
    }
    String folder = path;
    if (!Storage.exists(Storage.resolve(path, "config.json"), conf)) {
      String sub = FLAVOURS.get(flavour);
      if (sub == null)
        throw new IllegalArgumentException("unknown Stage C flavour '" + flavour + "'; allowed: "
            + FLAVOURS.keySet().stream().sorted().toList());
      folder = Storage.resolve(path, sub);
      if (!Storage.exists(Storage.resolve(folder, "config.json"), conf))
        throw new IllegalArgumentException(path + ": neither a model folder (config.json) nor a repository root with "
            + sub + "/config.json (flavour " + flavour + ")");
    }
    return new StageCModelFolder(Storage.resolve(folder, "config.json"), weightsIn(folder, conf));
  }

  private static String weightsIn(String folder, Configuration conf) {
    for (String stem : Checkpoints.STEMS) {
      for (String suffix : List.of(".safetensors", ".safetensors.index.json")) {
        String f = Storage.resolve(folder, stem + suffix);
        if (Storage.exists(f, conf)) return f;
      }
    }
    for (String v : VARIANTS) {
      String f = Storage.resolve(folder, v);
      if (Storage.exists(f, conf)) return f;
    }
    throw new IllegalArgumentException(folder + ": no Stage C weights; expected one of "
        + Checkpoints.STEMS.stream().map(s -> s + ".safetensors").toList() + ", a sharded index, or " + VARIANTS);
  }

  public StableCascadeUNetConfig config(Configuration conf) {
    return StableCascadeUNetConfig.read(configUri, conf);
  }

  /** The weights under diffusers' names, whatever naming the file uses. */
  public TensorSource openWeights(Configuration conf) {
    return StageCWeightNames.asDiffusers(Checkpoints.open(weightsUri, conf));
  }
}
