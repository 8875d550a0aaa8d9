package org.cascadetuner.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.junit.jupiter.api.Test;

/**
 * SGD against torch.optim.SGD's update written out per element in float32 over the golden's gradients:
 * {@code d = g + wd·p}; {@code buf = d} on the first step, then {@code μ·buf + d}; {@code p −= lr·buf}.
 */
class SgdTest {
  final Backend be = Backends.get("cpu");
  final OptimGolden g = OptimGolden.load();

  float[] byFormula(double lr, double momentum, double wd) {
    float[] p = g.init().clone(), buf = new float[p.length];
    for (int k = 0; k < g.grads().size(); k++) {
      float[] grad = g.grads().get(k);
      for (int i = 0; i < p.length; i++) {
        float d = wd != 0 ? grad[i] + p[i] * (float) wd : grad[i];
        if (momentum != 0) {
          buf[i] = k == 0 ? d : buf[i] * (float) momentum + d;
          d = buf[i];
        }
        p[i] = p[i] - d * (float) lr;
      }
    }
    return p;
  }

  float[] byOptimizer(double lr, double momentum, double wd) {
    try (ParameterStore ps = g.store(be); Sgd opt = new Sgd(new Sgd.Settings(momentum, wd))) {
      Parameter w = ps.get("w");
      for (float[] grad : g.grads()) {
        OptimGolden.setGrad(w, grad);
        opt.step(ps.trainable(), lr);
      }
      assertEquals(g.grads().size(), opt.state().steps().get("w"));
      return w.value().toFloats();
    }
  }

  @Test
  void matchesTheFormulaWithAndWithoutMomentumAndDecay() {
    double[][] cases = {{g.lr(), 0, 0}, {g.lr(), 0.9, 0}, {g.lr(), 0, 0.01}, {g.lr(), 0.9, 0.01}};
    for (double[] c : cases) {
      float[] want = byFormula(c[0], c[1], c[2]), got = byOptimizer(c[0], c[1], c[2]);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 2 * Math.ulp(want[i]),
            "lr " + c[0] + " momentum " + c[1] + " wd " + c[2] + ", element " + i);
      }
    }
  }

  @Test
  void momentumBufferSurvivesSaveAndRestore() {
    float[] straight = byOptimizer(g.lr(), 0.9, 0.01);
    try (ParameterStore ps = g.store(be)) {
      OptimizerState saved;
      try (Sgd a = new Sgd(new Sgd.Settings(0.9, 0.01))) {
        OptimGolden.setGrad(ps.get("w"), g.grads().get(0));
        a.step(ps.trainable(), g.lr());
        saved = a.state();
      }
      try (Sgd b = new Sgd(new Sgd.Settings(0.9, 0.01))) {
        b.restore(saved, ps.trainable());
        for (int k = 1; k < g.grads().size(); k++) {
          OptimGolden.setGrad(ps.get("w"), g.grads().get(k));
          b.step(ps.trainable(), g.lr());
        }
      }
      assertArrayEquals(straight, ps.get("w").value().toFloats());
    }
  }
}
