package org.cascadetuner.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.trainer.schedule.EmaSchedule;
import org.junit.jupiter.api.Test;

/**
 * EMA of the weights against the golden trajectory {@code ema_decay<d>_after<k>} (meta.json: ema_{k+1} = d·ema_k +
 * (1 − d)·param_{k+1}, ema_0 = param_init), over the weights of the weight-decay AdamW run (the run the golden
 * averages; see EmaScheduleTest), both replayed from the golden and produced by our AdamW.
 */
class EmaWeightsTest {
  final Backend be = Backends.get("cpu");
  final OptimGolden g = OptimGolden.load();

  record Trajectory(double decay, int updates, float[] ema) {}

  static Trajectory trajectory(SafeTensors st) {
    Pattern p = Pattern.compile("ema_decay([0-9.]+)_after(\\d+)");
    for (String n : st.names()) {
      Matcher m = p.matcher(n);
      if (m.matches()) return new Trajectory(Double.parseDouble(m.group(1)), Integer.parseInt(m.group(2)), st.floats(n));
    }
    throw new AssertionError("no ema_decay<d>_after<k> in the optim golden");
  }

  @Test
  void replayedWeightsGiveTheGoldenAverage() {
    try (SafeTensors st = OptimGolden.io(); ParameterStore ps = g.store(be)) {
      Trajectory t = trajectory(st);
      String run = OptimGolden.run(st, g.weightDecays().get(g.weightDecays().size() - 1));
      Parameter w = ps.get("w");
      try (EmaWeights ema = new EmaWeights(new EmaSchedule.Fixed(t.decay()), ps.trainable())) {
        float[] byRule = g.init().clone();
        for (int k = 1; k <= t.updates(); k++) {
          float[] pk = st.floats(run + "step" + k);
          be.write(w.value(), pk);
          ema.update(ps.trainable());
          for (int i = 0; i < byRule.length; i++) byRule[i] = EmaSchedule.step(byRule[i], pk[i], t.decay());
        }
        assertEquals(t.updates(), ema.updates());
        assertArrayEquals(byRule, ema.tensor("w").toFloats(), "the backend update is EmaSchedule.step exactly");
        float[] got = ema.tensor("w").toFloats();
        for (int i = 0; i < got.length; i++)
          assertTrue(Math.abs(got[i] - t.ema()[i]) <= 1e-7 * Math.abs(t.ema()[i]), "element " + i + ": want "
              + t.ema()[i] + ", got " + got[i]);
      }
    }
  }

  @Test
  void trainingWithOurAdamWTracksTheGoldenAverage() {
    try (SafeTensors st = OptimGolden.io(); ParameterStore ps = g.store(be)) {
      Trajectory t = trajectory(st);
      double wd = g.weightDecays().get(g.weightDecays().size() - 1);
      try (AdamW opt = new AdamW(g.settings(wd));
          EmaWeights ema = new EmaWeights(new EmaSchedule.Fixed(t.decay()), ps.trainable())) {
        for (int k = 0; k < t.updates(); k++) {
          OptimGolden.setGrad(ps.get("w"), g.grads().get(k));
          opt.step(ps.trainable(), g.lr());
          ema.update(ps.trainable());
        }
        assertTrue(AdamWTest.relative(t.ema(), ema.tensor("w").toFloats()) <= 1e-6);
      }
    }
  }

  @Test
  void stateRoundTripAndCopyTo() {
    try (ParameterStore ps = g.store(be);
        EmaWeights ema = new EmaWeights(EmaSchedule.EmaModel.withDecay(0.999), ps.trainable())) {
      Parameter w = ps.get("w");
      be.write(w.value(), g.grads().get(0));
      ema.update(ps.trainable());
      ema.update(ps.trainable());
      Map<String, float[]> saved = ema.state();
      try (EmaWeights other = new EmaWeights(EmaSchedule.EmaModel.withDecay(0.999), ps.trainable())) {
        other.restore(saved, ema.updates());
        ema.update(ps.trainable());
        other.update(ps.trainable());
        assertEquals(ema.updates(), other.updates());
        assertArrayEquals(ema.tensor("w").toFloats(), other.tensor("w").toFloats());
        other.copyTo(ps.trainable());
        assertArrayEquals(other.tensor("w").toFloats(), w.value().toFloats());
        assertThrows(IllegalArgumentException.class, () -> other.restore(Map.of("w", new float[2]), 1));
        assertThrows(IllegalArgumentException.class, () -> other.tensor("nope"));
      }
    }
  }
}
