package org.cascadetuner.common.config;

/** A value that its key's type refuses; the message is what the type allows ("a positive integer"). */
public final class InvalidValue extends Exception {
  public InvalidValue(String allowed) {
    super(allowed, null, false, false);
  }

  public String allowed() {
    return getMessage();
  }
}
