package org.cascadetuner.common.models.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * A LoRA adapter's settings as PEFT's {@code LoraConfig} (and {@code adapter_config.json}) states them: rank r,
 * {@code lora_alpha} (scale α/r, or α/√r with rsLoRA), and the target modules: a list of module names matched as
 * PEFT does (the whole name, or its last dotted components: {@code to_q} matches
 * {@code down_blocks.0.2.attention.to_q}), or one regular expression that must match the whole name.
 *
 * @param targetRegex null when {@code targetModules} is used
 */
public record LoraConfig(int rank, double alpha, List<String> targetModules, String targetRegex, boolean useRslora,
    String source) {

  /** SimpleTuner's default targets for Stage C: the four attention projections of every AttnBlock. */
  public static final List<String> DEFAULT_TARGETS = List.of("to_q", "to_k", "to_v", "to_out.0");

  public LoraConfig {
    if (rank <= 0) throw new IllegalArgumentException(source + ": LoRA rank r = " + rank + " must be positive");
    if (!(alpha > 0)) throw new IllegalArgumentException(source + ": lora_alpha = " + alpha + " must be positive");
    targetModules = targetModules == null ? List.of() : List.copyOf(targetModules);
    if (targetRegex == null && targetModules.isEmpty())
      throw new IllegalArgumentException(source + ": target_modules is empty");
  }

  public static LoraConfig of(int rank, double alpha, List<String> targets) {
    return new LoraConfig(rank, alpha, targets, null, false, "code");
  }

  /** The factor of B·A added to the frozen weight. */
  public double scale() {
    return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
  }

  /** Whether the Linear module named {@code module} gets an adapter. */
  public boolean targets(String module) {
    if (targetRegex != null) return Pattern.compile(targetRegex).matcher(module).matches();
    for (String t : targetModules) if (module.equals(t) || module.endsWith("." + t)) return true;
    return false;
  }

  public static LoraConfig read(String uri, Configuration conf) {
    try (InputStream in = Storage.open(uri, conf)) {
      return parse(new ObjectMapper().readTree(in), uri);
    } catch (IOException e) {
      throw new IllegalArgumentException(uri + ": cannot read the adapter config: " + e.getMessage(), e);
    }
  }

  /** PEFT's adapter_config.json; keys this LoRA does not use are ignored, settings it cannot honour refused. */
  public static LoraConfig parse(JsonNode root, String source) {
    if (root == null || !root.isObject()) throw new IllegalArgumentException(source + ": not a JSON object");
    JsonNode peftType = root.get("peft_type");
    if (peftType != null && !peftType.isNull() && !peftType.asText().equals("LORA"))
      throw new IllegalArgumentException(source + ": peft_type '" + peftType.asText() + "' is not supported; "
          + "allowed: LORA");
    for (String flag : List.of("use_dora", "fan_in_fan_out"))
      if (root.path(flag).asBoolean(false))
        throw new IllegalArgumentException(source + ": " + flag + " = true is not supported");
    for (String pattern : List.of("rank_pattern", "alpha_pattern"))
      if (root.has(pattern) && root.get(pattern).isObject() && root.get(pattern).size() > 0)
        throw new IllegalArgumentException(source + ": " + pattern + " (per-module ranks or alphas) is not supported");
    JsonNode r = root.get("r");
    if (r == null || !r.isIntegralNumber()) throw new IllegalArgumentException(source + ": 'r' is missing");
    JsonNode alpha = root.get("lora_alpha");
    double a = alpha == null || alpha.isNull() ? 8 : alpha.asDouble(); // PEFT's default lora_alpha
    JsonNode t = root.get("target_modules");
    List<String> targets = new ArrayList<>();
    String regex = null;
    if (t == null || t.isNull()) targets.addAll(DEFAULT_TARGETS);
    else if (t.isTextual()) regex = t.asText();
    else for (JsonNode e : t) targets.add(e.asText());
    return new LoraConfig(r.asInt(), a, targets, regex, root.path("use_rslora").asBoolean(false), source);
  }

  /** adapter_config.json as PEFT writes it (the keys PEFT needs to rebuild this adapter). */
  public ObjectNode toPeftJson(String baseModel) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("peft_type", "LORA");
    if (baseModel != null) o.put("base_model_name_or_path", baseModel);
    o.putNull("task_type");
    o.put("inference_mode", false);
    o.put("r", rank);
    if (alpha == Math.rint(alpha)) o.put("lora_alpha", (long) alpha);
    else o.put("lora_alpha", alpha);
    o.put("lora_dropout", 0.0);
    if (targetRegex != null) o.put("target_modules", targetRegex);
    else {
      ArrayNode a = o.putArray("target_modules");
      targetModules.forEach(a::add);
    }
    o.put("bias", "none");
    o.put("fan_in_fan_out", false);
    o.put("init_lora_weights", true);
    o.put("use_rslora", useRslora);
    o.put("use_dora", false);
    return o;
  }
}
