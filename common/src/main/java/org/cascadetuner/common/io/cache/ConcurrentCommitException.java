package org.cascadetuner.common.io.cache;

/** Another writer committed a newer snapshot than the one this commit was based on; rebase and try again. */
public final class ConcurrentCommitException extends RuntimeException {
  public ConcurrentCommitException(String message) {
    super(message);
  }
}
