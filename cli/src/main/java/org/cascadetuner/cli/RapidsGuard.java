package org.cascadetuner.cli;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses to start when the Spark settings enable the RAPIDS Accelerator but schedule no GPU: with its plugin loaded
 * and no GPU, every executor stops at start-up (CUDA cannot initialise, even with spark.rapids.sql.enabled=false),
 * which on a cluster shows up as a storm of lost executors. Runs before any SparkContext exists; spark-submit hands
 * the driver its settings (spark-defaults.conf, --conf) as system properties.
 */
final class RapidsGuard {
  static final String PLUGIN = "com.nvidia.spark.SQLPlugin";
  private static final String[] PLUGIN_KEYS = {"spark.plugins", "spark.plugins.defaultList"};

  private RapidsGuard() {}

  static Optional<String> problem(Map<?, ?> settings) {
    String pluginKey = null;
    for (String key : PLUGIN_KEYS) {
      Object v = settings.get(key);
      if (v != null && Arrays.stream(v.toString().split(",")).map(String::strip).anyMatch(PLUGIN::equals)) {
        pluginKey = key;
        break;
      }
    }
    if (pluginKey == null) return Optional.empty();
    Object master = settings.get("spark.master");
    // in local mode the driver JVM runs the tasks, so the driver is the one that needs the GPU
    String gpuKey = master != null && master.toString().startsWith("local")
        ? "spark.driver.resource.gpu.amount" : "spark.executor.resource.gpu.amount";
    Object amount = settings.get(gpuKey);
    if (amount != null && gpus(amount.toString()) >= 1) return Optional.empty();
    return Optional.of(pluginKey + " = " + settings.get(pluginKey) + " enables the RAPIDS Accelerator, but " + gpuKey
        + (amount == null ? " is not set" : " = " + amount)
        + ": without a GPU every executor stops at start-up. Schedule GPUs (" + gpuKey
        + " >= 1, e.g. deploy/submit-train.sh --gpus-per-executor 1) or leave the RAPIDS settings (conf/rapids.conf) out.");
  }

  private static double gpus(String v) {
    try {
      return Double.parseDouble(v.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
