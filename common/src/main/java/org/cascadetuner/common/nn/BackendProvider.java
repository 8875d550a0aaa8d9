package org.cascadetuner.common.nn;

/**
 * Service-provider entry of a backend (listed in {@code META-INF/services/org.cascadetuner.common.nn.BackendProvider}),
 * so a deployment that leaves a backend's jars out simply does not find it.
 */
public interface BackendProvider {

  /** The name users select it by, e.g. {@code cpu}. */
  String name();

  /** Whether its native libraries load on this machine (checked before {@link #create()}). */
  default boolean available() {
    return true;
  }

  Backend create();
}
