package org.cascadetuner.common.models.lora;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.cascadetuner.common.models.stagec.LinearBuilder;
import org.cascadetuner.common.models.stagec.WeightLoader;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.Linear;

/**
 * Injects LoRA into a model as it is built (PEFT's {@code inject_adapter_in_model}): every Linear whose module the
 * config targets becomes a {@link LoraLinear} whose A and B live in the model's store as
 * {@code <module>.lora_A.weight} and {@code <module>.lora_B.weight} (PEFT's names). Base weights stay frozen: build
 * the store with {@link #TRAINABLE}, so they get no gradient buffers.
 */
public final class LoraLinears implements LinearBuilder {

  /** Only the adapters train. */
  public static final Predicate<String> TRAINABLE = n -> n.endsWith(".lora_A.weight") || n.endsWith(".lora_B.weight");

  private final LoraConfig config;
  private final ParameterStore store;
  private final LoraAdapterFile file;
  private final long seed;
  private final Map<String, LoraLinear> adapted = new LinkedHashMap<>();
  private final Set<String> usedKeys = new HashSet<>();

  private LoraLinears(LoraConfig config, ParameterStore store, LoraAdapterFile file, long seed) {
    this.config = config;
    this.store = store;
    this.file = file;
    this.seed = seed;
  }

  /** New adapters: A kaiming-uniform (PEFT's default, bound 1/√in), B zeros, so the model starts unchanged. */
  public static LoraLinears fresh(LoraConfig config, ParameterStore store, long seed) {
    return new LoraLinears(config, store, null, seed);
  }

  /** Adapters read from a saved file (either naming); the file may be closed once the model is built. */
  public static LoraLinears from(LoraAdapterFile file, ParameterStore store) {
    return new LoraLinears(file.config(), store, file, 0);
  }

  public LoraConfig config() {
    return config;
  }

  /** The adapted layers by module name, in construction order. */
  public Map<String, LoraLinear> adapted() {
    return Collections.unmodifiableMap(adapted);
  }

  @Override
  public Layer linear(WeightLoader weights, String module, long in, long out, boolean bias) {
    Linear base = LinearBuilder.plain(weights, module, in, out, bias);
    LoraAdapterFile.Entry entry = file == null ? null : file.find(module);
    boolean target = file != null && file.adaptsWhatItHolds() ? entry != null : config.targets(module);
    if (!target) return base;
    Backend be = store.backend();
    Tensor a, b;
    double scale;
    if (file == null) {
      a = kaimingUniform(be, module, config.rank(), in);
      b = be.zeros(out, config.rank());
      scale = config.scale();
    } else {
      if (entry == null)
        throw new IllegalArgumentException(file.where() + ": the adapter config targets " + module + " but the file "
            + "has no weights for it");
      a = load(be, entry.aKey(), -1, in);
      long rank = a.size(0);
      b = load(be, entry.bKey(), out, rank);
      scale = entry.scale();
      usedKeys.add(entry.aKey());
    }
    Parameter pa = store.add(module + ".lora_A.weight", a);
    Parameter pb = store.add(module + ".lora_B.weight", b);
    LoraLinear l = new LoraLinear(module, base, pa, pb, (float) scale);
    adapted.put(module, l);
    return l;
  }

  private Tensor load(Backend be, String key, long rows, long cols) {
    long[] s = file.source().info(key).shape();
    if (s.length != 2 || (rows >= 0 && s[0] != rows) || s[1] != cols)
      throw new IllegalArgumentException(file.where() + ": " + key + " has shape " + java.util.Arrays.toString(s)
          + " but the model's layer needs [" + (rows >= 0 ? rows : "r") + ", " + cols + "]");
    return be.load(file.source(), key);
  }

  /** torch's kaiming_uniform_(a=√5) as PEFT applies it to lora_A: U(−1/√in, 1/√in), seeded per module. */
  private Tensor kaimingUniform(Backend be, String module, int rank, long in) {
    SplittableRandom rng = new SplittableRandom(seed ^ ((long) module.hashCode() << 32 ^ module.length()));
    double bound = 1.0 / Math.sqrt(in);
    float[] v = new float[Math.toIntExact(rank * in)];
    for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    return be.fromFloats(v, rank, in);
  }

  /** Fails when the adapter file holds modules the model does not have (a LoRA for another model or naming). */
  public void checkEveryAdapterWasUsed() {
    if (file == null) return;
    Set<String> left = new java.util.TreeSet<>(file.aKeys());
    left.removeAll(usedKeys);
    if (!left.isEmpty())
      throw new IllegalArgumentException(file.where() + ": " + left.size() + " adapters match no module of the model, "
          + "e.g. " + left.stream().limit(3).toList());
    if (adapted.isEmpty()) throw new IllegalArgumentException(file.where() + ": no module of the model was adapted");
  }

  /** Parameters of the adapters (r·(in + out) per adapted Linear). */
  public long parameterCount() {
    return adapted.values().stream().mapToLong(l -> l.a().value().numel() + l.b().value().numel()).sum();
  }
}
