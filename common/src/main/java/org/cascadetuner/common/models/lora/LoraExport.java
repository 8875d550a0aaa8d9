package org.cascadetuner.common.models.lora;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensorsWriter;
import org.cascadetuner.common.io.Storage;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tensor;

/**
 * Writes trained adapters: PEFT/diffusers ({@code adapter_model.safetensors} + {@code adapter_config.json}),
 * kohya/ComfyUI ({@code lora_prior_unet_…lora_down/lora_up/alpha}, DESIGN decision 9), or the base weights with the
 * adapters merged in ({@code W + (α/r)·B·A}, diffusers names).
 */
public final class LoraExport {
  private LoraExport() {}

  /** A block's prefix ({@code up_blocks.1.2.}) and the attention's ({@code attention.}) are not part of a target. */
  private static final Pattern BLOCK = Pattern.compile("^(?:down|up)_blocks\\.\\d+\\.\\d+\\.(?:attention\\.)?(.*)$");

  /** The PEFT target a module answers to: {@code down_blocks.0.2.attention.to_out.0} → {@code to_out.0}. */
  public static String target(String module) {
    Matcher m = BLOCK.matcher(module);
    return m.matches() ? m.group(1) : module;
  }

  /** {@code adapter_model.safetensors} (unprefixed PEFT keys) and {@code adapter_config.json} in {@code dir}. */
  public static void writePeft(String dir, LoraLinears lora, String baseModel, Configuration conf) {
    SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
    Set<String> targets = new LinkedHashSet<>();
    Set<Integer> ranks = new LinkedHashSet<>();
    Set<Float> scales = new LinkedHashSet<>();
    for (LoraLinear l : lora.adapted().values()) {
      w.add(l.module() + ".lora_A.weight", l.a().value().toFloats(), l.a().shape());
      w.add(l.module() + ".lora_B.weight", l.b().value().toFloats(), l.b().shape());
      targets.add(target(l.module()));
      ranks.add(l.rank());
      scales.add(l.scale());
    }
    if (ranks.size() > 1 || scales.size() > 1)
      throw new IllegalArgumentException("adapters of different ranks " + ranks + " or scales " + scales + " need "
          + "PEFT's rank_pattern/alpha_pattern, which this export does not write; export as kohya instead");
    LoraConfig c = lora.config();
    int rank = ranks.isEmpty() ? c.rank() : ranks.iterator().next();
    double alpha = scales.isEmpty() ? c.alpha() : scales.iterator().next() * (c.useRslora() ? Math.sqrt(rank) : rank);
    LoraConfig out = new LoraConfig(rank, alpha, new ArrayList<>(targets), null, c.useRslora(), c.source());
    w.write(Storage.resolve(dir, LoraAdapterFile.WEIGHTS), conf);
    try (OutputStream o = Storage.create(Storage.resolve(dir, LoraAdapterFile.CONFIG), conf)) {
      new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(o, out.toPeftJson(baseModel));
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": cannot write " + LoraAdapterFile.CONFIG + ": " + e.getMessage(), e);
    }
  }

  /** One kohya/ComfyUI file: A as lora_down, B as lora_up, alpha = scale·rank, original module names. */
  public static void writeKohya(String file, LoraLinears lora, Configuration conf) {
    SafeTensorsWriter w = new SafeTensorsWriter();
    List<Integer> ranks = new ArrayList<>();
    for (LoraLinear l : lora.adapted().values()) {
      String stem = LoraAdapterFile.kohyaStem(l.module());
      w.add(stem + ".lora_down.weight", l.a().value().toFloats(), l.a().shape());
      w.add(stem + ".lora_up.weight", l.b().value().toFloats(), l.b().shape());
      w.add(stem + ".alpha", new float[] {l.scale() * l.rank()});
      ranks.add(l.rank());
    }
    if (!ranks.isEmpty()) {
      LoraLinear first = lora.adapted().values().iterator().next();
      w.metadata("ss_network_module", "networks.lora").metadata("ss_network_dim", Integer.toString(first.rank()))
          .metadata("ss_network_alpha", Float.toString(first.scale() * first.rank()));
    }
    w.write(file, conf);
  }

  /**
   * Every base weight of {@code store} under its diffusers name, each adapted Linear's weight replaced by
   * {@code W + (α/r)·B·A}: a plain checkpoint of the fine-tuned model ({@code diffusion_pytorch_model.safetensors}).
   */
  public static void writeMerged(String file, ParameterStore store, LoraLinears lora, Configuration conf) {
    SafeTensorsWriter w = new SafeTensorsWriter().metadata("format", "pt");
    for (Parameter p : store.all()) {
      if (LoraLinears.TRAINABLE.test(p.name())) continue;
      String name = p.name();
      LoraLinear l = name.endsWith(".weight") ? lora.adapted().get(name.substring(0, name.length() - 7)) : null;
      if (l == null) {
        w.add(name, p.value().toFloats(), p.shape());
      } else {
        try (Tensor merged = l.mergedWeight()) {
          w.add(name, merged.toFloats(), p.shape());
        }
      }
    }
    w.write(file, conf);
  }
}
