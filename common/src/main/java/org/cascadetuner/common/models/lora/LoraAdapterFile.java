package org.cascadetuner.common.models.lora;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.io.Storage;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.models.stagec.StageCWeightNames;

/**
 * A saved Stage C LoRA in either naming (spec §5), looked up by the diffusers module name it adapts:
 * <ul>
 *   <li>PEFT / diffusers: {@code <module>.lora_A.weight} [r, in], {@code <module>.lora_B.weight} [out, r], maybe
 *       behind a {@code base_model.model.}, {@code prior.} or {@code unet.} prefix, with r and lora_alpha in
 *       {@code adapter_config.json};</li>
 *   <li>kohya / ComfyUI: {@code lora_prior_unet_<original module path, '.' → '_'>.lora_down.weight} (A),
 *       {@code .lora_up.weight} (B) and {@code .alpha} (a scalar; scale alpha/rank, 1 when absent).</li>
 * </ul>
 */
public final class LoraAdapterFile implements AutoCloseable {

  public enum Format { PEFT, KOHYA }

  /** File names of a PEFT adapter folder. */
  public static final String WEIGHTS = "adapter_model.safetensors";
  public static final String CONFIG = "adapter_config.json";
  /** Key prefix of Stage C's UNet in kohya/ComfyUI files. */
  public static final String KOHYA_PREFIX = "lora_prior_unet_";
  static final List<String> PEFT_PREFIXES = List.of("", "base_model.model.", "prior.", "unet.");

  /** Where one module's adapter is stored, and its scale. */
  public record Entry(String aKey, String bKey, double scale) {}

  private final TensorSource source;
  private final Format format;
  private final String prefix;
  private final LoraConfig config;
  private final String where;

  private LoraAdapterFile(TensorSource source, Format format, String prefix, LoraConfig config, String where) {
    this.source = source;
    this.format = format;
    this.prefix = prefix;
    this.config = config;
    this.where = where;
  }

  /**
   * A PEFT adapter folder ({@value #WEIGHTS} + {@value #CONFIG}), or a .safetensors file: kohya (self-describing), or
   * PEFT with its {@value #CONFIG} beside it.
   */
  public static LoraAdapterFile open(String path, Configuration conf) {
    String weights = path.endsWith(".safetensors") ? path : Storage.resolve(path, WEIGHTS);
    if (!Storage.exists(weights, conf))
      throw new IllegalArgumentException(path + ": no LoRA adapter; expected a folder with " + WEIGHTS + " and "
          + CONFIG + ", or a .safetensors file");
    SafeTensors source = SafeTensors.open(weights, conf);
    try {
      if (source.names().stream().anyMatch(n -> n.endsWith(".lora_down.weight")))
        return new LoraAdapterFile(source, Format.KOHYA, KOHYA_PREFIX, kohyaConfig(source, weights), weights);
      String key = source.names().stream().filter(n -> n.endsWith(".lora_A.weight")).findFirst().orElseThrow(
          () -> new IllegalArgumentException(weights + ": neither PEFT (.lora_A.weight) nor kohya (.lora_down.weight) "
              + "LoRA keys"));
      String prefix = PEFT_PREFIXES.stream().filter(p -> !p.isEmpty() && key.startsWith(p)).findFirst().orElse("");
      int slash = weights.lastIndexOf('/');
      String config = Storage.resolve(slash < 0 ? "." : weights.substring(0, slash), CONFIG);
      if (!Storage.exists(config, conf))
        throw new IllegalArgumentException(weights + ": PEFT LoRA weights without " + config + " (r and lora_alpha)");
      return new LoraAdapterFile(source, Format.PEFT, prefix, LoraConfig.read(config, conf), weights);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
  }

  /**
   * kohya files carry rank and alpha per module and name modules with '_' for '.', which only the model's own module
   * names resolve; the summary config takes the first module's rank and alpha and targets whatever the file adapts.
   */
  private static LoraConfig kohyaConfig(TensorSource s, String where) {
    String first = s.names().stream().filter(n -> n.endsWith(".lora_down.weight")).sorted().findFirst().orElseThrow();
    String stem = first.substring(0, first.length() - ".lora_down.weight".length());
    int rank = (int) s.info(first).shape()[0];
    double alpha = s.contains(stem + ".alpha") ? s.floats(stem + ".alpha")[0] : rank;
    return new LoraConfig(rank, alpha, List.of(), ".*", false, where);
  }

  /** Whether modules are adapted as the file says (kohya) rather than by the config's target list (PEFT). */
  public boolean adaptsWhatItHolds() {
    return format == Format.KOHYA;
  }

  public Format format() {
    return format;
  }

  public LoraConfig config() {
    return config;
  }

  public TensorSource source() {
    return source;
  }

  public String where() {
    return where;
  }

  /** The kohya/ComfyUI key stem of a diffusers module ({@code lora_prior_unet_down_blocks_0_2_attention_attn_to_q}). */
  public static String kohyaStem(String module) {
    return KOHYA_PREFIX + StageCWeightNames.originalModule(module).replace('.', '_');
  }

  /** The adapter of {@code module} (a diffusers module name), or null when the file has none. */
  public Entry find(String module) {
    if (format == Format.PEFT) {
      String a = prefix + module + ".lora_A.weight", b = prefix + module + ".lora_B.weight";
      if (!source.contains(a)) return null;
      if (!source.contains(b)) throw new IllegalArgumentException(where + ": " + a + " without " + b);
      return new Entry(a, b, config.scale());
    }
    String stem = kohyaStem(module);
    String a = stem + ".lora_down.weight", b = stem + ".lora_up.weight";
    if (!source.contains(a)) return null;
    if (!source.contains(b)) throw new IllegalArgumentException(where + ": " + a + " without " + b);
    double rank = source.info(a).shape()[0];
    double alpha = source.contains(stem + ".alpha") ? source.floats(stem + ".alpha")[0] : rank;
    return new Entry(a, b, alpha / rank);
  }

  /** The A keys of every module in the file (to check that each found its module). */
  public Set<String> aKeys() {
    String suffix = format == Format.PEFT ? ".lora_A.weight" : ".lora_down.weight";
    Set<String> out = new LinkedHashSet<>();
    for (String n : source.names()) if (n.endsWith(suffix)) out.add(n);
    return out;
  }

  @Override
  public void close() {
    source.close();
  }
}
