package org.cascadetuner.common.nn;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds backends by name at start-up ({@link ServiceLoader}). One instance per name per JVM: backends hold native
 * state (thread pools, handles) that should not be duplicated.
 */
public final class Backends {
  private Backends() {}

  /** System property, then environment variable, naming the default backend; {@value #DEFAULT_NAME} otherwise. */
  public static final String PROPERTY = "cascadetuner.backend";
  public static final String ENV = "CASCADE_TUNER_BACKEND";
  public static final String DEFAULT_NAME = "cpu";

  private static final Map<String, Backend> INSTANCES = new ConcurrentHashMap<>();

  public static Backend get(String name) {
    return INSTANCES.computeIfAbsent(name, Backends::create);
  }

  /** The backend named by {@value #PROPERTY} / {@value #ENV}, else {@value #DEFAULT_NAME}. */
  public static Backend defaultBackend() {
    String name = System.getProperty(PROPERTY);
    if (name == null || name.isBlank()) name = System.getenv(ENV);
    if (name == null || name.isBlank()) name = DEFAULT_NAME;
    return get(name.trim());
  }

  /** Names of the providers on the class path. */
  public static List<String> names() {
    return providers().keySet().stream().toList();
  }

  private static Backend create(String name) {
    Map<String, BackendProvider> all = providers();
    BackendProvider p = all.get(name);
    if (p == null)
      throw new IllegalArgumentException("backend '" + name + "' is not on the class path; available: " + all.keySet()
          + " (set -D" + PROPERTY + " or " + ENV + ")");
    if (!p.available())
      throw new IllegalStateException("backend '" + name + "' is on the class path but its native libraries do not "
          + "load on this machine");
    return p.create();
  }

  private static Map<String, BackendProvider> providers() {
    Map<String, BackendProvider> m = new TreeMap<>();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) m.put(p.name(), p);
    return m;
  }
}
