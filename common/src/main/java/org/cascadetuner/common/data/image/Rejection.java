package org.cascadetuner.common.data.image;

import java.util.Objects;

/**
 * A file that cannot be used, with the reason a manifest records and a message a user can act on.
 *
 * @param file the name the caller gave (a dataset-relative path or URI)
 * @param reason the typed reason
 * @param detail what was found, e.g. "header says 100000 x 100000 = 10000000000 pixels"
 */
public record Rejection(String file, RejectReason reason, String detail)
    implements ProbeResult, DecodeResult, EffnetResult {

  public Rejection {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }

  /** One line naming the file, the reason code and what was found. */
  public String message() {
    return file + ": " + reason.code() + " (" + detail + ")";
  }

  @Override
  public String toString() {
    return message();
  }
}
