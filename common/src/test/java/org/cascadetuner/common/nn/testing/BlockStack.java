package org.cascadetuner.common.nn.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Checkpoint;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/** A stack of blocks sharing one context; returns dL/dx, parameter gradients accumulate in the store. */
public final class BlockStack {
public final List<TinyResBlock> blocks = new ArrayList<>();
public final ParameterStore store;

public BlockStack(Backend be, int n, int c, int ctx) {
    store = new ParameterStore(be, null, name -> true, "stack");
    Random rng = new Random(5);
    for (int i = 0; i < n; i++) blocks.add(new TinyResBlock(store, rng, "blocks." + i + ".", c, ctx));
  }

  /** Forward, backward with dy = r, returns [dx, dctx]; the tape's peak activation bytes in peak[0]. */
public Tensor[] step(Tensor x, Tensor ctx, float[] r, boolean checkpoint, long[] peak) {
    Backend be = x.backend();
    try (Tape tape = Tape.recording()) {
      Tensor h = x.retain();
      for (TinyResBlock b : blocks) {
        Tensor next = Checkpoint.forward(checkpoint, b, tape, h, ctx);
        h.close();
        h = next;
      }
      Tensor dh = be.fromFloats(r, h.shape());
      h.close();
      Tensor dctx = be.zeros(ctx.shape());
      for (int i = blocks.size() - 1; i >= 0; i--) {
        Tensor[] g = Checkpoint.backward(checkpoint, blocks.get(i), tape, dh);
        dh.close();
        dh = g[0];
        be.addInPlace(dctx, g[1]);
        g[1].close();
      }
      if (peak != null) peak[0] = tape.peakBytes();
      assertEquals(0, tape.size());
      return new Tensor[] {dh, dctx};
    }
  }
}

