package org.cascadetuner.common.nn.nd4j;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.BackendProvider;

/** Registers the ND4J CPU backend under the name {@code cpu}. */
public final class Nd4jBackendProvider implements BackendProvider {

  @Override
  public String name() {
    return Nd4jBackend.NAME;
  }

  @Override
  public Backend create() {
    return new Nd4jBackend();
  }
}
