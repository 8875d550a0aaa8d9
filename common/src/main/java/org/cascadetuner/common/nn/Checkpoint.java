package org.cascadetuner.common.nn;

/**
 * Gradient checkpointing of one block: the forward runs without recording and keeps only the block's inputs; the
 * backward runs the forward again on a private tape and then the block's backward on it. Same gradients, activation
 * memory of one block instead of all.
 */
public final class Checkpoint {
  private Checkpoint() {}

  /** A block of several inputs (e.g. x and the conditioning), one output, gradients for each input. */
  public interface Block {
    Tensor forward(Tape tape, Tensor... inputs);

    /** dL/d(input i), null where an input needs no gradient. */
    Tensor[] backward(Tape tape, Tensor dy);
  }

  /** The inputs a checkpointed block keeps for its recomputation. */
  private record Inputs(Block block, Tensor[] inputs) implements Saved {
    @Override
    public long bytes() {
      return Saved.bytesOf(inputs);
    }

    @Override
    public void close() {
      Saved.closeAll(inputs);
    }
  }

  /** Runs {@code block} keeping only its inputs on {@code tape}. */
  public static Tensor forward(Block block, Tape tape, Tensor... inputs) {
    Tensor out = block.forward(Tape.NONE, inputs);
    if (tape.isRecording()) {
      Tensor[] kept = new Tensor[inputs.length];
      for (int i = 0; i < inputs.length; i++) kept[i] = inputs[i] == null ? null : inputs[i].retain();
      tape.push(new Inputs(block, kept));
    }
    return out;
  }

  /** Recomputes the block's forward, then runs its backward. */
  public static Tensor[] backward(Tape tape, Tensor dy) {
    try (Inputs saved = tape.pop(Inputs.class); Tape inner = Tape.recording()) {
      saved.block().forward(inner, saved.inputs()).close();
      return saved.block().backward(inner, dy);
    }
  }

  /** Runs {@code block} checkpointed when {@code checkpoint}, plainly otherwise. */
  public static Tensor forward(boolean checkpoint, Block block, Tape tape, Tensor... inputs) {
    return checkpoint ? forward(block, tape, inputs) : block.forward(tape, inputs);
  }

  /** The backward matching {@link #forward(boolean, Block, Tape, Tensor...)}. */
  public static Tensor[] backward(boolean checkpoint, Block block, Tape tape, Tensor dy) {
    return checkpoint ? backward(tape, dy) : block.backward(tape, dy);
  }
}
