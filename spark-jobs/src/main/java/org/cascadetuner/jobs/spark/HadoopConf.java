package org.cascadetuner.jobs.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A Hadoop configuration that can travel into executor closures (Configuration itself is not Serializable). Holds
 * only the entries that differ from Hadoop's defaults, which for us are the s3a settings — secrets included, so
 * {@link #toString} never prints values.
 */
public final class HadoopConf implements Serializable {
  private final HashMap<String, String> entries;
  private transient Configuration conf;

  private HadoopConf(HashMap<String, String> entries) {
    this.entries = entries;
  }

  public static HadoopConf of(Configuration c) {
    HashMap<String, String> m = new HashMap<>();
    Configuration defaults = new Configuration();
    for (Map.Entry<String, String> e : c) {
      if (!e.getValue().equals(defaults.getRaw(e.getKey()))) m.put(e.getKey(), e.getValue());
    }
    return new HadoopConf(m);
  }

  public synchronized Configuration get() {
    if (conf == null) {
      conf = new Configuration();
      entries.forEach(conf::set);
    }
    return conf;
  }

  @Override
  public String toString() {
    return "HadoopConf(" + entries.size() + " entries)";
  }
}
