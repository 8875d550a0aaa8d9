package org.cascadetuner.common.nn;

import java.util.Locale;

/**
 * Where a training step's memory goes (llm.c prints the same table): parameters, gradients (trainable only),
 * optimizer state (e.g. 2 slots per trainable element for AdamW), and the activations a recorded forward kept on its
 * tape at the peak (with checkpointing: block inputs plus one block's activations).
 */
public record MemoryPlan(long parameterCount, long parameterBytes, long trainableCount, long gradientBytes,
    long optimizerBytes, long activationPeakBytes) {

  /**
   * @param optimizerSlots float32 buffers per trainable parameter element (AdamW 2, SGD with momentum 1)
   * @param activationPeakBytes {@link Tape#peakBytes()} of a step's tape (0 when unknown)
   */
  public static MemoryPlan of(ParameterStore store, int optimizerSlots, long activationPeakBytes) {
    long trainable = store.trainable().stream().mapToLong(p -> p.value().numel()).sum();
    return new MemoryPlan(store.parameterCount(), store.parameterBytes(), trainable, store.gradientBytes(),
        trainable * 4L * optimizerSlots, activationPeakBytes);
  }

  public long totalBytes() {
    return parameterBytes + gradientBytes + optimizerBytes + activationPeakBytes;
  }

  public String format() {
    return String.format(Locale.ROOT, """
        %-22s %,16d elements %12s
        %-22s %,16d elements %12s
        %-22s %29s
        %-22s %29s
        %-22s %29s""", "parameters", parameterCount, mib(parameterBytes), "gradients (trainable)", trainableCount,
        mib(gradientBytes), "optimizer state", mib(optimizerBytes), "activations (peak)", mib(activationPeakBytes),
        "total", mib(totalBytes()));
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
