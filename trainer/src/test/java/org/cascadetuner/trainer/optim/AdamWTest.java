package org.cascadetuner.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.junit.jupiter.api.Test;

/** AdamW against torch.optim.AdamW (goldens/optim): weights and both moments after every step of both runs. */
class AdamWTest {
  /**
   * max|diff| / max|ref| per tensor. torch's lerp and addcmul kernels fuse a multiply-add where the backend rounds
   * twice, so a moment can differ by an ulp; that is float32 precision, not a different rule.
   */
  static final double TOL = 1e-6;
  final Backend be = Backends.get("cpu");
  final OptimGolden g = OptimGolden.load();

  static double relative(float[] ref, float[] got) {
    double d = 0, m = 0;
    for (int i = 0; i < ref.length; i++) {
      d = Math.max(d, Math.abs((double) ref[i] - got[i]));
      m = Math.max(m, Math.abs(ref[i]));
    }
    return m == 0 ? d : d / m;
  }

  @Test
  void everyStepOfBothGoldenRuns() {
    assertTrue(g.weightDecays().size() >= 2, "the golden has runs with and without weight decay");
    try (SafeTensors st = OptimGolden.io()) {
      for (double wd : g.weightDecays()) {
        String run = OptimGolden.run(st, wd);
        double worst = 0;
        try (ParameterStore ps = g.store(be); AdamW opt = new AdamW(g.settings(wd))) {
          Parameter w = ps.get("w");
          for (int k = 1; k <= g.grads().size(); k++) {
            OptimGolden.setGrad(w, g.grads().get(k - 1));
            opt.step(ps.trainable(), g.lr());
            OptimizerState s = opt.state();
            assertEquals(k, s.steps().get("w"));
            String[][] checks = {{"step" + k, null}, {"exp_avg" + k, "exp_avg/w"}, {"exp_avg_sq" + k, "exp_avg_sq/w"}};
            for (String[] c : checks) {
              float[] got = c[1] == null ? w.value().toFloats() : s.tensors().get(c[1]);
              double e = relative(st.floats(run + c[0]), got);
              assertTrue(e <= TOL, run + c[0] + ": relative error " + e);
              worst = Math.max(worst, e);
            }
          }
        }
        System.out.printf("AdamW %s (%d steps): max relative error %.2e%n", run, g.grads().size(), worst);
      }
    }
  }

  @Test
  void aRestoredStateContinuesExactlyAsTheUninterruptedRun() {
    double wd = g.weightDecays().get(g.weightDecays().size() - 1);
    int split = g.grads().size() / 2;
    float[] straight;
    try (ParameterStore ps = g.store(be); AdamW opt = new AdamW(g.settings(wd))) {
      for (float[] grad : g.grads()) {
        OptimGolden.setGrad(ps.get("w"), grad);
        opt.step(ps.trainable(), g.lr());
      }
      straight = ps.get("w").value().toFloats();
    }
    try (ParameterStore ps = g.store(be)) {
      OptimizerState saved;
      try (AdamW first = new AdamW(g.settings(wd))) {
        for (int k = 0; k < split; k++) {
          OptimGolden.setGrad(ps.get("w"), g.grads().get(k));
          first.step(ps.trainable(), g.lr());
        }
        saved = first.state();
      }
      try (AdamW resumed = new AdamW(g.settings(wd))) {
        resumed.restore(saved, ps.trainable());
        for (int k = split; k < g.grads().size(); k++) {
          OptimGolden.setGrad(ps.get("w"), g.grads().get(k));
          resumed.step(ps.trainable(), g.lr());
        }
      }
      assertArrayEquals(straight, ps.get("w").value().toFloats());
    }
  }

  @Test
  void restoreNamesWhatIsMissingOrMisfit() {
    try (ParameterStore ps = g.store(be); AdamW opt = new AdamW(g.settings(0))) {
      List<Parameter> params = ps.trainable();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> opt.restore(new OptimizerState(AdamW.NAME, Map.of("w", 1L), Map.of()), params));
      assertTrue(e.getMessage().contains("exp_avg/w"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> opt.restore(new OptimizerState(AdamW.NAME,
          Map.of("w", 1L), Map.of("exp_avg/w", new float[3], "exp_avg_sq/w", new float[3])), params));
      assertTrue(e.getMessage().contains("3 values"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> opt.restore(new OptimizerState(Sgd.NAME, Map.of(), Map.of()), params));
      assertTrue(e.getMessage().contains("'sgd'"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> new AdamW.Settings(1.0, 0.999, 1e-8, 0));
    }
  }

  @Test
  void frozenParametersAreLeftAlone() {
    try (ParameterStore ps = new ParameterStore(be, null, n -> n.equals("t"), "test");
        AdamW opt = new AdamW(g.settings(0.01))) {
      ps.add("t", be.fromFloats(g.init().clone(), g.shape()));
      ps.add("f", be.fromFloats(g.init().clone(), g.shape()));
      OptimGolden.setGrad(ps.get("t"), g.grads().get(0));
      opt.step(List.copyOf(ps.all()), g.lr());
      assertArrayEquals(g.init(), ps.get("f").value().toFloats());
      assertEquals(Map.of("t", 1L), opt.state().steps());
    }
  }
}
