package org.cascadetuner.common.models.stagec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.cascadetuner.common.models.lora.LoraConfig;
import org.cascadetuner.common.models.lora.LoraAdapters;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * A real-size Stage C run (prior or prior_lite, random weights, no checkpoint): prints the memory plan (parameters,
 * gradients, AdamW state, activations per block measured on one block of each kind), then times building the model
 * and its forward passes, and reports the peak RSS. Run by {@link StageCRealSizeTest} in a child JVM (tag real-size):
 * {@code StageCRealSize <prior|prior_lite> <batch> <height> <width> [lora-step]}.
 */
public final class StageCRealSize {

  static long status(String key) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status")))
      if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    throw new IllegalStateException("no " + key);
  }

  /** CPU time of the whole process (libnd4j's OpenMP threads included). */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  static Tensor random(Backend be, SplittableRandom rng, double scale, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    float[] v = new float[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) v[i] = (float) ((2 * rng.nextDouble() - 1) * scale);
    return be.fromFloats(v, shape);
  }

  /** Activation bytes one block keeps for its backward (tape peak), full fine-tune and LoRA (default targets). */
  record BlockMemory(String kind, long params, long full, long lora, long input) {}

  static BlockMemory measure(Backend be, StableCascadeUNetConfig c, BlockType type, long skip, long b, long h, long w) {
    long[] out = new long[2];
    long params = 0;
    for (int mode = 0; mode < 2; mode++) {
      boolean lora = mode == 1;
      Predicate<String> trainable = lora ? n -> false : n -> true;
      SplittableRandom rng = new SplittableRandom(5);
      Map<String, org.cascadetuner.common.nn.layers.Linear> built = new LinkedHashMap<>();
      try (ParameterStore store = new ParameterStore(be, null, trainable, "block")) {
        WeightLoader wl = (name, shape) -> store.add(name, random(be, rng, 0.02, shape));
        LinearBuilder linears = (weights, module, in, o, bias) -> {
          var l = LinearBuilder.plain(weights, module, in, o, bias);
          built.put(module, l);
          return l;
        };
        long ch = c.channels(0);
        UNetBlock block = switch (type) {
          case RES -> new ResBlock(wl, linears, "b.", ch, skip, c.kernelSize(), 0.1);
          case TIMESTEP -> new TimestepBlock(wl, linears, "b.", ch, c.timestepRatioEmbeddingDim(),
              c.timestepConditioningType());
          case ATTN -> new AttnBlock(wl, linears, "b.", ch, c.conditioningDim(), c.numAttentionHeads().get(0), true, 0.1);
        };
        if (!lora) params = store.parameterCount();
        // LoRA on the attention projections (SimpleTuner's default): only AttnBlocks carry adapters
        LoraAdapters adapters = lora && type == BlockType.ATTN
            ? LoraAdapters.fresh(LoraConfig.of(4, 4, LoraConfig.DEFAULT_TARGETS), built, 1) : null;
        try (adapters; Tensor x = random(be, rng, 1, b, h, w, ch);
            Tensor aux = switch (type) {
              case RES -> skip > 0 ? random(be, rng, 1, b, h, w, skip) : null;
              case TIMESTEP -> random(be, rng, 1, b, c.rEmbeddingWidth());
              case ATTN -> random(be, rng, 1, b, 77 + 8, c.conditioningDim());
            };
            Tape tape = Tape.recording(); Tensor y = block.forward(x, aux, true, 1, tape)) {
          out[mode] = tape.peakBytes();
        }
      }
    }
    String kind = type + (skip > 0 ? " (skip)" : "");
    return new BlockMemory(kind, params, out[0], out[1], b * h * w * c.channels(0) * 4);
  }

  /** llm.c's table for a training step: parameters, gradients, optimizer state, activations by block. */
  static void printPlan(Backend be, StableCascadeUNetConfig c, long b, long h, long w) {
    long params = StableCascadeUNet.parameterCount(c);
    Map<String, Integer> calls = new LinkedHashMap<>();
    Map<String, BlockMemory> kinds = new LinkedHashMap<>();
    int levels = c.levels();
    for (int i = 0; i < levels; i++) {
      for (int pass = 0; pass < c.downRepeats(i); pass++)
        for (int l = 0; l < c.downNumLayersPerBlock().get(i); l++)
          for (BlockType t : c.blockTypesPerLayer().get(i)) calls.merge(t.toString(), 1, Integer::sum);
      for (int pass = 0; pass < c.upRepeats(i); pass++)
        for (int l = 0; l < c.upLayers(i); l++)
          for (int k = 0; k < c.blockTypesPerLayer().get(i).size(); k++) {
            BlockType t = c.blockTypesPerLayer().get(i).get(k);
            boolean skip = i < levels - 1 && l == 0 && k == 0 && t == BlockType.RES;
            calls.merge(t + (skip ? " (skip)" : ""), 1, Integer::sum);
          }
    }
    if (c.blockOutChannels().stream().distinct().count() != 1)
      System.out.println("(activations measured at block_out_channels[0] for every level)");
    for (String k : calls.keySet()) {
      BlockType t = BlockType.valueOf(k.replace(" (skip)", ""));
      kinds.put(k, measure(be, c, t, k.endsWith("(skip)") ? c.channels(0) : 0, b, h, w));
    }
    long lora = 0;
    LoraConfig attention = LoraConfig.of(4, 4, LoraConfig.DEFAULT_TARGETS);
    for (Map.Entry<String, long[]> e : StableCascadeUNet.parameterShapes(c).entrySet()) {
      String n = e.getKey();
      if (n.endsWith(".weight") && attention.targets(n.substring(0, n.length() - 7)))
        lora += attention.rank() * (e.getValue()[0] + e.getValue()[1]);
    }
    System.out.printf(Locale.ROOT, "memory plan: %s, batch %d, latent %dx%d, float32%n", c.source(), b, h, w);
    System.out.printf(Locale.ROOT, "  %-34s %,16d  %12s%n", "parameters", params, gib(4 * params));
    System.out.printf(Locale.ROOT, "  %-34s %,16d  %12s%n", "gradients + AdamW (full)", 3 * params, gib(12 * params));
    System.out.printf(Locale.ROOT, "  %-34s %,16d  %12s%n", "gradients + AdamW (LoRA r=4, attn)", 3 * lora,
        mib(12 * lora));
    System.out.printf(Locale.ROOT, "  %-18s %6s %14s %14s %14s%n", "block", "calls", "params", "act. full", "act. LoRA");
    long full = 0, loraAct = 0, inputs = 0, maxFull = 0, maxLora = 0;
    for (Map.Entry<String, Integer> e : calls.entrySet()) {
      BlockMemory m = kinds.get(e.getKey());
      int n = e.getValue();
      System.out.printf(Locale.ROOT, "  %-18s %6d %,14d %14s %14s%n", m.kind(), n, m.params(), mib(m.full()),
          mib(m.lora()));
      full += n * m.full();
      loraAct += n * m.lora();
      inputs += n * m.input();
      maxFull = Math.max(maxFull, m.full());
      maxLora = Math.max(maxLora, m.lora());
    }
    System.out.printf(Locale.ROOT, "  activations, all blocks kept:      full %s, LoRA %s%n", gib(full), gib(loraAct));
    System.out.printf(Locale.ROOT, "  with gradient checkpointing:       full %s, LoRA %s (block inputs + one block)%n",
        gib(inputs + maxFull), gib(inputs + maxLora));
  }

  public static void main(String[] args) throws Exception {
    String flavour = args[0];
    long b = Long.parseLong(args[1]), h = Long.parseLong(args[2]), w = Long.parseLong(args[3]);
    boolean loraStep = args.length > 4 && args[4].equals("lora-step");
    Backend be = Backends.get("cpu");
    System.out.println("backend: " + be);
    StableCascadeUNetConfig c = RealSizeParameterCountTest.config(flavour);
    printPlan(be, c, b, h, w);
    System.out.printf("after plan: RSS %s%n", gib(status("VmRSS")));

    long t0 = System.nanoTime();
    Map<String, long[]> shapes = StableCascadeUNet.parameterShapes(c);
    ParameterStore store;
    try (TorchDefaultInit init = new TorchDefaultInit(shapes, 1)) {
      store = ParameterStore.frozen(be, init, flavour);
    }
    try (StableCascadeUNet model = new StableCascadeUNet(c, store);
        LoraAdapters lora = loraStep ? LoraAdapters.fresh(LoraConfig.of(4, 4, LoraConfig.DEFAULT_TARGETS),
            model.linears(), 7) : null) {
      double build = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "built %s: %,d parameters (%s) in %.1f s, RSS %s%n", flavour,
          store.parameterCount(), gib(store.parameterBytes()), build, gib(status("VmRSS")));
      SplittableRandom rng = new SplittableRandom(11);
      List<Tensor> owned = new ArrayList<>();
      StableCascadeUNet.Inputs in = new StableCascadeUNet.Inputs(add(owned, random(be, rng, 1, b, c.inChannels(), h, w)),
          add(owned, be.full(0.5f, b)), add(owned, random(be, rng, 1, b, 1, c.clipTextPooledInChannels())),
          add(owned, random(be, rng, 1, b, 77, c.clipTextInChannels())), add(owned, be.zeros(b, 1, c.clipImageInChannels())),
          null, null);
      int forwards = Integer.getInteger("stagec.forwards", 2);
      for (int run = 1; run <= forwards; run++) {
        long s = System.nanoTime(), cpu0 = cpuNanos();
        try (Tensor out = model.forward(in, Tape.NONE, StableCascadeUNet.Mode.EVAL)) {
          double sec = (System.nanoTime() - s) / 1e9, cpu = (cpuNanos() - cpu0) / 1e9;
          double sumSq = be.sumOfSquares(out);
          if (!Double.isFinite(sumSq)) throw new IllegalStateException("non-finite output");
          System.out.printf(Locale.ROOT, "forward %d: %.2f s (process CPU %.1f s), out %s rms %.4f, RSS %s%n", run,
              sec, cpu, java.util.Arrays.toString(out.shape()), Math.sqrt(sumSq / out.numel()), gib(status("VmRSS")));
        }
      }
      if (loraStep) {
        for (int run = 1; run <= 1; run++) {
          long s = System.nanoTime();
          try (Tape tape = Tape.recording(); Tensor target = random(be, rng, 1, b, c.outChannels(), h, w);
              Tensor out = model.forward(in, tape, new StableCascadeUNet.Mode(true, run, true,
                  StableCascadeUNet.Probe.NONE));
              MeanSquaredError mse = MeanSquaredError.of(out, target)) {
            double f = (System.nanoTime() - s) / 1e9;
            long tapeBytes = tape.peakBytes();
            model.backward(mse.gradient(), tape);
            System.out.printf(Locale.ROOT, "LoRA step %d (checkpointed, dropout on): forward %.2f s, forward+backward "
                + "%.2f s, tape peak %s, RSS %s%n", run, f, (System.nanoTime() - s) / 1e9, mib(tapeBytes),
                gib(status("VmRSS")));
          }
          lora.parameters().zeroGrads();
        }
      }
      owned.forEach(Tensor::close);
    }
    System.out.printf("peak RSS (VmHWM): %s%n", gib(status("VmHWM")));
  }

  private static Tensor add(List<Tensor> owned, Tensor t) {
    owned.add(t);
    return t;
  }
}
