package org.cascadetuner.common.nn;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The activation record of one forward pass: each layer pushes what its backward needs, and the backward, which
 * calls the layers in reverse order, pops them again (so a model's backward reads as its forward reversed, and
 * memory is released as the backward proceeds). A pop checks the record's type, so a backward that does not mirror
 * its forward fails at once with both types named.
 *
 * <p>{@link #NONE} records nothing: layers run in inference mode and skip what only backward needs.
 */
public final class Tape implements AutoCloseable {

  /** A tape that records nothing (inference). */
  public static final Tape NONE = new Tape(false);

  private final boolean recording;
  private final Deque<Saved> stack = new ArrayDeque<>();
  private long bytes;
  private long peakBytes;

  private Tape(boolean recording) {
    this.recording = recording;
  }

  /** A recording tape, for a forward that will be followed by a backward. */
  public static Tape recording() {
    return new Tape(true);
  }

  public boolean isRecording() {
    return recording;
  }

  /** Keeps {@code s} for backward; on a non-recording tape it is closed at once. */
  public void push(Saved s) {
    if (!recording) {
      s.close();
      return;
    }
    stack.push(s);
    bytes += s.bytes();
    peakBytes = Math.max(peakBytes, bytes);
  }

  /** The most recent record, which must be of type {@code type}; the caller closes it. */
  public <S extends Saved> S pop(Class<S> type) {
    if (!recording) throw new IllegalStateException("backward on a tape that did not record (Tape.NONE)");
    Saved s = stack.poll();
    if (s == null) throw new IllegalStateException("backward pops " + type.getName() + " from an empty tape");
    if (!type.isInstance(s)) {
      stack.push(s);
      throw new IllegalStateException("backward expects " + type.getName() + " but the forward saved "
          + s.getClass().getName() + ": backward must call the layers in the reverse order of forward");
    }
    bytes -= s.bytes();
    return type.cast(s);
  }

  public int size() {
    return stack.size();
  }

  /** Bytes held now. */
  public long bytes() {
    return bytes;
  }

  /** Most bytes held at once since creation. */
  public long peakBytes() {
    return peakBytes;
  }

  /** Releases everything still held (a forward without backward, or an exception in between). */
  @Override
  public void close() {
    while (!stack.isEmpty()) stack.pop().close();
    bytes = 0;
  }
}
