package org.cascadetuner.trainer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;

/**
 * The EMA rule against {@code goldens/optim/io.safetensors}: {@code ema_decay<d>_after<k>} is the EMA of the weights
 * after k optimizer steps, starting from {@code param_init} (meta.json: {@code ema_{k+1} = d*ema_k + (1-d)*param_{k+1}}).
 */
class EmaScheduleTest {
  /**
   * The trajectory the golden averages: meta.json does not say which AdamW run; it is the weight-decay one (the
   * other misses by about 3e-4).
   */
  private static final String RUN = "adamw_wd0.01/step";

  private record Golden(double decay, int updates, float[] init, List<float[]> params, float[] ema) {}

  private static Golden golden() {
    try (SafeTensors st = SafeTensors.open(SharedFiles.goldens("optim/io.safetensors"))) {
      Pattern p = Pattern.compile("ema_decay([0-9.]+)_after(\\d+)");
      String key = st.names().stream().filter(n -> p.matcher(n).matches()).findFirst()
          .orElseThrow(() -> new AssertionError("no ema_decay<d>_after<k> tensor in " + st.names()));
      Matcher m = p.matcher(key);
      assertTrue(m.matches());
      int updates = Integer.parseInt(m.group(2));
      List<float[]> params = new ArrayList<>();
      for (int k = 1; k <= updates; k++) params.add(st.floats(RUN + k));
      return new Golden(Double.parseDouble(m.group(1)), updates, st.floats("param_init"), params, st.floats(key));
    }
  }

  private static float[] average(EmaSchedule schedule, float[] init, List<float[]> params) {
    float[] ema = init.clone();
    for (int u = 1; u <= params.size(); u++) {
      double d = schedule.decay(u);
      float[] p = params.get(u - 1);
      for (int i = 0; i < ema.length; i++) ema[i] = EmaSchedule.step(ema[i], p[i], d);
    }
    return ema;
  }

  @Test
  void aFixedDecayReproducesTheGoldenTrajectory() {
    Golden g = golden();
    float[] ema = average(new EmaSchedule.Fixed(g.decay()), g.init(), g.params());
    for (int i = 0; i < ema.length; i++) {
      assertTrue(Math.abs(ema[i] - g.ema()[i]) <= 1e-7 * Math.abs(g.ema()[i]),
          "element " + i + ": want " + g.ema()[i] + ", got " + ema[i]);
    }
  }

  @Test
  void emaModelWarmupWithGammaOneAndPowerOneIsThePlainMean() {
    // 1 - (1 + s)^-1 = s / (1 + s): after n updates the EMA is the mean of the n weights (crowsonkb's note)
    Golden g = golden();
    float[] ema = average(new EmaSchedule.EmaModel(1.0, 0.0, 0, true, 1.0, 1.0), g.init(), g.params());
    for (int i = 0; i < ema.length; i++) {
      double mean = 0;
      for (float[] p : g.params()) mean += p[i];
      mean /= g.updates();
      assertEquals(mean, ema[i], 1e-6 * Math.max(1, Math.abs(mean)), "element " + i);
    }
  }

  @Test
  void emaModelCopiesTheWeightsUntilUpdateAfterStepHasPassed() {
    Golden g = golden();
    int delay = g.updates() - 2;
    EmaSchedule s = new EmaSchedule.EmaModel(0.999, 0.0, delay, false, 1.0, 2.0 / 3.0);
    for (int u = 1; u <= delay + 1; u++) assertEquals(0.0, s.decay(u), "update " + u);
    assertTrue(s.decay(delay + 2) > 0);
    float[] ema = average(s, g.init(), g.params().subList(0, delay + 1));
    assertEquals(java.util.Arrays.toString(g.params().get(delay)), java.util.Arrays.toString(ema));
  }

  @Test
  void emaModelDecayRisesMonotonicallyAndStaysWithinItsBounds() {
    EmaSchedule.EmaModel s = new EmaSchedule.EmaModel(0.995, 0.5, 0, false, 1.0, 2.0 / 3.0);
    double prev = s.decay(2);
    assertEquals(0.5, prev, "(1 + 1) / (10 + 1) is below min_decay");
    for (long u = 3; u < 5000; u++) {
      double d = s.decay(u);
      assertTrue(d >= prev && d <= 0.995, "update " + u + ": " + d);
      prev = d;
    }
    assertEquals(0.995, prev, "the cap is reached");
  }

  @Test
  void decaysOutsideZeroOneAreRefusedWithTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EmaSchedule.Fixed(1.5));
    assertTrue(e.getMessage().contains("ema_decay"), e.getMessage());
  }
}
