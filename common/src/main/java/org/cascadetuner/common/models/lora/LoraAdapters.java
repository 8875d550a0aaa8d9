package org.cascadetuner.common.models.lora;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.Linear;

/**
 * LoRA on an already built model (PEFT's {@code inject_adapter_in_model}): an adapter on every Linear the config
 * targets, attached through the layer's adapter slot, so a base model loaded once can take fresh or saved adapters.
 * A and B live in this object's own store under PEFT's names ({@code <module>.lora_A.weight},
 * {@code <module>.lora_B.weight}), all trainable; the base weights stay as they are (frozen: no gradient buffers).
 */
public final class LoraAdapters implements AutoCloseable {
  private final LoraConfig config;
  private final ParameterStore params;
  private final Map<String, LoraAdapter> adapted = new LinkedHashMap<>();

  private LoraAdapters(LoraConfig config, Backend backend, String where) {
    this.config = config;
    this.params = new ParameterStore(backend, null, n -> true, where);
  }

  /**
   * New adapters on the targeted modules of {@code linears} (module name → layer): A kaiming-uniform (PEFT's
   * default, U(±1/√in)), B zeros, so the model starts unchanged. Seeded per module name.
   */
  public static LoraAdapters fresh(LoraConfig config, Map<String, Linear> linears, long seed) {
    LoraAdapters l = new LoraAdapters(config, backendOf(linears), "new LoRA adapters");
    for (Map.Entry<String, Linear> e : linears.entrySet()) {
      if (!config.targets(e.getKey())) continue;
      Linear base = e.getValue();
      Backend be = l.params.backend();
      long in = base.in(), out = base.out();
      l.add(base, kaimingUniform(be, e.getKey(), seed, config.rank(), in), be.zeros(out, config.rank()), config.scale());
    }
    l.checkSomethingAdapted(config.source());
    return l;
  }

  /** Adapters read from a saved file (either naming) onto the modules it holds; the file may be closed after. */
  public static LoraAdapters load(LoraAdapterFile file, Map<String, Linear> linears) {
    LoraAdapters l = new LoraAdapters(file.config(), backendOf(linears), file.where());
    Set<String> used = new TreeSet<>();
    try {
      for (Map.Entry<String, Linear> e : linears.entrySet()) {
        String module = e.getKey();
        LoraAdapterFile.Entry entry = file.find(module);
        boolean target = file.adaptsWhatItHolds() ? entry != null : file.config().targets(module);
        if (!target) continue;
        if (entry == null)
          throw new IllegalArgumentException(file.where() + ": the adapter config targets " + module + " but the file "
              + "has no weights for it");
        Linear base = e.getValue();
        Tensor a = l.read(file, entry.aKey(), -1, base.in());
        Tensor b = l.read(file, entry.bKey(), base.out(), a.size(0));
        l.add(base, a, b, entry.scale());
        used.add(entry.aKey());
      }
      Set<String> left = new TreeSet<>(file.aKeys());
      left.removeAll(used);
      if (!left.isEmpty())
        throw new IllegalArgumentException(file.where() + ": " + left.size() + " adapters match no module of the "
            + "model, e.g. " + left.stream().limit(3).toList());
      l.checkSomethingAdapted(file.where());
      return l;
    } catch (RuntimeException ex) {
      l.close();
      throw ex;
    }
  }

  private static Backend backendOf(Map<String, Linear> linears) {
    if (linears.isEmpty()) throw new IllegalArgumentException("the model has no Linear layers to adapt");
    return linears.values().iterator().next().weight().value().backend();
  }

  private void checkSomethingAdapted(String where) {
    if (adapted.isEmpty())
      throw new IllegalArgumentException(where + ": no module of the model is targeted (target_modules "
          + (config.targetRegex() != null ? config.targetRegex() : config.targetModules()) + ")");
  }

  private Tensor read(LoraAdapterFile file, String key, long rows, long cols) {
    long[] s = file.source().info(key).shape();
    if (s.length != 2 || (rows >= 0 && s[0] != rows) || s[1] != cols)
      throw new IllegalArgumentException(file.where() + ": " + key + " has shape " + java.util.Arrays.toString(s)
          + " but the model's layer needs [" + (rows >= 0 ? rows : "r") + ", " + cols + "]");
    return params.backend().load(file.source(), key);
  }

  private void add(Linear base, Tensor a, Tensor b, double scale) {
    String module = base.name();
    Parameter pa = params.add(module + ".lora_A.weight", a);
    Parameter pb = params.add(module + ".lora_B.weight", b);
    LoraAdapter adapter = new LoraAdapter(base, pa, pb, (float) scale);
    if (base.adapter() != null)
      throw new IllegalStateException(module + " already carries an adapter; detach it first");
    base.attach(adapter);
    adapted.put(module, adapter);
  }

  /** torch's kaiming_uniform_(a=√5) as PEFT applies it to lora_A: U(−1/√in, 1/√in). */
  private static Tensor kaimingUniform(Backend be, String module, long seed, int rank, long in) {
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + module.hashCode());
    double bound = 1.0 / Math.sqrt(in);
    float[] v = new float[Math.toIntExact(rank * in)];
    for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    return be.fromFloats(v, rank, in);
  }

  public LoraConfig config() {
    return config;
  }

  /** A and B of every adapter, all trainable (what a LoRA run trains, averages and saves). */
  public ParameterStore parameters() {
    return params;
  }

  /** The adapters by module name, in the model's order. */
  public Map<String, LoraAdapter> adapted() {
    return Collections.unmodifiableMap(adapted);
  }

  /** r·(in + out) per adapted Linear. */
  public long parameterCount() {
    return params.parameterCount();
  }

  /** Takes the adapters off their layers (the model is the base model again) and releases them. */
  @Override
  public void close() {
    for (LoraAdapter a : adapted.values()) if (a.base().adapter() == a) a.base().attach(null);
    params.close();
  }
}
