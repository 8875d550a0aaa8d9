package org.cascadetuner.common.models.stagec;

import java.util.ArrayList;
import java.util.List;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;

/**
 * {@code SDCascadeTimestepBlock} (spec §1.3.2): the r embedding, split into one c_r chunk per condition (the ratio,
 * then each of {@code timestep_conditioning_type}), goes through {@code mapper} / {@code mapper_<cond>} (Linear
 * c_r → 2c each, summed); the first half a, second half b modulate {@code x·(1 + a) + b} per channel.
 */
public final class TimestepBlock implements UNetBlock {
  private final Layer mapper;
  private final List<Layer> condMappers = new ArrayList<>();
  private final long channels;

  public TimestepBlock(WeightLoader w, LinearBuilder linears, String prefix, long channels, long cR,
      List<String> conds) {
    this.channels = channels;
    mapper = linears.linear(w, prefix + "mapper", cR, 2 * channels, true);
    for (String c : conds) condMappers.add(linears.linear(w, prefix + "mapper_" + c, cR, 2 * channels, true));
  }

  @Override
  public BlockType type() {
    return BlockType.TIMESTEP;
  }

  /** x for the gradient of a, and 1 + a [B, 1, 1, C] for the gradient of x. */
  record Modulation(Tensor x, Tensor onePlusA) implements Saved {
    @Override
    public long bytes() {
      return Saved.bytesOf(x, onePlusA);
    }

    @Override
    public void close() {
      Saved.closeAll(x, onePlusA);
    }
  }

  @Override
  public Tensor forward(Tensor x, Tensor rEmbed, boolean training, long seed, Tape tape) {
    Backend be = x.backend();
    long b = x.size(0);
    List<Tensor> chunks = be.chunk(rEmbed, 1, condMappers.size() + 1);
    Tensor ab;
    try {
      ab = mapper.forward(chunks.get(0), tape);
      for (int i = 0; i < condMappers.size(); i++) {
        try (Tensor t = condMappers.get(i).forward(chunks.get(i + 1), tape)) {
          be.addInPlace(ab, t);
        }
      }
    } finally {
      chunks.forEach(Tensor::close);
    }
    try (ab; Tensor a = be.slice(ab, 1, 0, channels); Tensor bb = be.slice(ab, 1, channels, 2 * channels);
        Tensor a4 = be.reshape(a, b, 1, 1, channels); Tensor b4 = be.reshape(bb, b, 1, 1, channels)) {
      Tensor onePlusA = be.add(a4, 1f);
      Tensor y = be.mul(x, onePlusA);
      be.addInPlace(y, b4);
      if (tape.isRecording()) tape.push(new Modulation(x.retain(), onePlusA));
      else onePlusA.close();
      return y;
    }
  }

  @Override
  public Tensor[] backward(Tensor dy, Tape tape) {
    Backend be = dy.backend();
    Tensor dx;
    Tensor dab;
    try (Modulation s = tape.pop(Modulation.class); Tensor dyx = be.mul(dy, s.x());
        Tensor da = be.sum(dyx, false, 1, 2); Tensor db = be.sum(dy, false, 1, 2)) {
      dx = be.mul(dy, s.onePlusA());
      dab = be.concat(1, da, db);
    }
    try (dab) {
      for (int i = condMappers.size() - 1; i >= 0; i--) condMappers.get(i).backward(dab, tape).close();
      mapper.backward(dab, tape).close();
    }
    return new Tensor[] {dx, null};
  }
}
