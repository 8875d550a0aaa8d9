package org.cascadetuner.common.models;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The model runners on the class path, by name. */
public final class ModelRunners {
  private ModelRunners() {}

  public static Map<String, ModelRunner> all() {
    Map<String, ModelRunner> m = new TreeMap<>();
    for (ModelRunner r : ServiceLoader.load(ModelRunner.class)) m.put(r.name(), r);
    return m;
  }

  public static ModelRunner get(String name) {
    Map<String, ModelRunner> all = all();
    ModelRunner r = all.get(name);
    if (r == null)
      throw new IllegalArgumentException("--model '" + name + "' is not known; allowed: " + String.join(", ", all.keySet()));
    return r;
  }
}
