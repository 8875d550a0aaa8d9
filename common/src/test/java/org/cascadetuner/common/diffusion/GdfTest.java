package org.cascadetuner.common.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stage C's GDF against {@code goldens/gdf/io.safetensors} (made with Stable Cascade's own gdf package): every
 * per-sample scalar, the noised latents, the losses and both loss weightings, including the adaptive buckets after
 * three updates. The model's prediction {@code pred} is taken from the golden here (StageCPriorGoldenLoopTest runs
 * the model).
 */
class GdfTest {
  /** Per-sample scalars: PyTorch's float32 ops reproduced; a 1-ulp SLEEF difference in cos may move logSNR ~1e-6. */
  static final double SCALAR_TOL = 1e-5;
  static final double TENSOR_TOL = 1e-6;
  static Backend be;
  static SafeTensors io;

  @BeforeAll
  static void open() {
    be = Backends.get("cpu");
    io = SafeTensors.open(SharedFiles.goldens("gdf/io.safetensors"));
  }

  @AfterAll
  static void close() {
    io.close();
  }

  static Tensor tensor(String name) {
    return be.load(io, name);
  }


  @Test
  void scheduleConstantsAndLimits() {
    CosineSchedule s = CosineSchedule.stageC();
    Floats.assertClose("min_var", io.floats("min_var"), new float[] {s.minVar()}, SCALAR_TOL, 1);
    Floats.assertClose("logsnr_limits", io.floats("logsnr_limits"), s.limits(), SCALAR_TOL, 1);
  }

  @Test
  void perSampleScalarsFromU() {
    float[] t = Gdf.sampleT(io.floats("u"));
    Floats.assertClose("t", io.floats("t"), t, SCALAR_TOL, 1e-3);
    CosineSchedule s = CosineSchedule.stageC();
    float[] logSnr = s.logSnr(io.floats("t"), 1);
    Floats.assertClose("logsnr", io.floats("logsnr"), logSnr, SCALAR_TOL, 1);
    VpScaler.Scales ab = VpScaler.scales(io.floats("logsnr"));
    Floats.assertClose("a", io.floats("a"), ab.a(), SCALAR_TOL, 1e-2);
    Floats.assertClose("b", io.floats("b"), ab.b(), SCALAR_TOL, 1e-2);
    Floats.assertClose("noise_cond", io.floats("noise_cond"), CosineTNoiseCond.stageC().r(io.floats("logsnr")),
        SCALAR_TOL, 1e-3);
    Floats.assertClose("loss_weight_p2", io.floats("loss_weight_p2"), P2LossWeight.stageC().weights(io.floats("logsnr")),
        SCALAR_TOL, 1e-4);
  }

  @Test
  void shiftTwoMovesLogSnrAndTheNoiseCondition() {
    float[] shifted = CosineSchedule.stageC().logSnr(io.floats("t"), 2);
    Floats.assertClose("logsnr_shift2", io.floats("logsnr_shift2"), shifted, SCALAR_TOL, 1);
    Floats.assertClose("noise_cond_shift2", io.floats("noise_cond_shift2"),
        CosineTNoiseCond.stageC().r(io.floats("logsnr_shift2")), SCALAR_TOL, 1e-3);
    // the limit clamp holds the shifted values inside [logSNR(1), logSNR(0)]
    float[] lim = CosineSchedule.stageC().limits();
    for (float l : shifted) assertTrue(l >= lim[0] && l <= lim[1], "shifted logSNR " + l + " outside the limits");
  }

  @Test
  void diffuseGivesNoisedTargetAndConditioning() {
    Gdf gdf = Gdf.stageC(false);
    try (Tensor x0 = tensor("x0"); Tensor eps = tensor("eps");
        Gdf.Diffused d = gdf.diffuse(x0, eps, io.floats("t"), 1, 1)) {
      Compare.assertClose("noised", io.floats("noised"), d.noised(), TENSOR_TOL);
      assertArrayEquals(io.floats("target"), d.target().toFloats(), "target is ε");
      Floats.assertClose("diffuse logsnr", io.floats("logsnr"), d.logSnr(), SCALAR_TOL, 1);
      Floats.assertClose("diffuse r", io.floats("noise_cond"), d.r(), SCALAR_TOL, 1e-3);
      Floats.assertClose("diffuse p2 weight", io.floats("loss_weight_p2"), d.lossWeight(), SCALAR_TOL, 1e-4);
    }
  }

  @Test
  void p2LossPerSampleAndAdjusted() {
    Gdf gdf = Gdf.stageC(false);
    try (Tensor x0 = tensor("x0"); Tensor eps = tensor("eps"); Tensor pred = tensor("pred");
        Gdf.Diffused d = gdf.diffuse(x0, eps, io.floats("t"), 1, 1); Gdf.Loss loss = gdf.loss(pred, d, 1)) {
      Floats.assertClose("loss_per_sample", io.floats("loss_per_sample"), loss.perSample(), TENSOR_TOL, 1);
      Floats.assertClose("loss_adjusted_p2", io.floats("loss_adjusted_p2"), new float[] {loss.adjusted()}, TENSOR_TOL, 1);
    }
  }

  @Test
  void adaptiveWeightStartsAtOneAndLearnsTheBuckets() {
    Gdf gdf = Gdf.stageC(true);
    AdaptiveLossWeight aw = (AdaptiveLossWeight) gdf.lossWeight();
    long[] want = io.longs("bucket_index");
    int[] idx = aw.bucketIndex(io.floats("logsnr"));
    for (int i = 0; i < want.length; i++) assertEquals(want[i], idx[i], "bucket of sample " + i);
    int updates = updatesInGoldenName();
    try (Tensor x0 = tensor("x0"); Tensor eps = tensor("eps"); Tensor pred = tensor("pred")) {
      try (Gdf.Diffused d = gdf.diffuse(x0, eps, io.floats("t"), 1, 1)) {
        Floats.assertClose("loss_weight_adaptive_init", io.floats("loss_weight_adaptive_init"), d.lossWeight(), 0, 1);
        for (int k = 0; k < updates; k++) {
          try (Gdf.Loss loss = gdf.loss(pred, d, 1)) {
            if (k == 0) Floats.assertClose("loss_adjusted_adaptive_init", io.floats("loss_adjusted_adaptive_init"),
                new float[] {loss.adjusted()}, TENSOR_TOL, 1);
          }
        }
      }
      Floats.assertClose("bucket_losses_after_" + updates + "_updates",
          io.floats("bucket_losses_after_" + updates + "_updates"), aw.state(), TENSOR_TOL, 1);
      try (Gdf.Diffused d = gdf.diffuse(x0, eps, io.floats("t"), 1, 1)) {
        Floats.assertClose("loss_weight_adaptive_after", io.floats("loss_weight_adaptive_after"), d.lossWeight(),
            TENSOR_TOL, 1);
      }
    }
    // the state is checkpointable: a fresh weighting restored from it weighs alike
    AdaptiveLossWeight restored = new AdaptiveLossWeight();
    restored.restore(aw.state());
    assertArrayEquals(aw.weights(io.floats("logsnr")), restored.weights(io.floats("logsnr")));
    assertThrows(IllegalArgumentException.class, () -> restored.restore(new float[7]));
  }

  /** The number k in the golden's {@code bucket_losses_after_<k>_updates} key. */
  static int updatesInGoldenName() {
    return io.names().stream().filter(n -> n.matches("bucket_losses_after_\\d+_updates")).findFirst()
        .map(n -> Integer.parseInt(n.replaceAll("\\D", ""))).orElseThrow(() -> new AssertionError(
            "no bucket_losses_after_<k>_updates in " + io.names()));
  }

  @Test
  void dPredIsTheGradientOfTheAdjustedLoss() {
    // the adjusted loss is quadratic in pred: a central difference along any direction is exact up to rounding
    for (boolean adaptive : new boolean[] {false, true}) {
      Gdf gdf = Gdf.stageC(adaptive);
      int accum = 3;
      try (Tensor x0 = tensor("x0"); Tensor eps = tensor("eps"); Tensor pred = tensor("pred");
          Gdf.Diffused d = gdf.diffuse(x0, eps, io.floats("t"), 1, 1); Gdf.Loss loss = gdf.loss(pred, d, accum)) {
        float[] g = loss.dPred().toFloats();
        float[] p = pred.toFloats();
        double norm = 0;
        for (float v : g) norm += (double) v * v;
        norm = Math.sqrt(norm);
        float h = 1e-2f;
        float[] plus = p.clone(), minus = p.clone();
        for (int i = 0; i < p.length; i++) {
          plus[i] += (float) (h * g[i] / norm);
          minus[i] -= (float) (h * g[i] / norm);
        }
        double fd;
        try (Tensor tp = be.fromFloats(plus, pred.shape()); Tensor tm = be.fromFloats(minus, pred.shape());
            Gdf.Loss lp = Gdf.stageC(false).loss(tp, reweighted(d), accum);
            Gdf.Loss lm = Gdf.stageC(false).loss(tm, reweighted(d), accum)) {
          fd = ((double) lp.adjusted() - lm.adjusted()) / (2 * h);
        }
        assertEquals(norm, fd, 2e-3 * norm, (adaptive ? "adaptive" : "p2") + ": directional derivative along dPred");
      }
    }
  }

  /** The same diffusion with its weights kept (so a P2 Gdf's loss uses the weights {@code d} carries). */
  private static Gdf.Diffused reweighted(Gdf.Diffused d) {
    return new Gdf.Diffused(d.noised().retain(), d.target().retain(), d.t(), d.logSnr(), d.a(), d.b(), d.r(),
        d.lossWeight());
  }

  @Test
  void seededTimestepsAreReproducibleAndInRange() {
    float[] a = Gdf.sampleT(1000, SeededNoise.key(42, 7)), b = Gdf.sampleT(1000, SeededNoise.key(42, 7));
    assertArrayEquals(a, b);
    double mean = 0;
    for (float t : a) {
      assertTrue(t >= 0.001f && t <= 1f, "t " + t + " outside [0.001, 1]");
      mean += t;
    }
    // U(0.001, 1.001) clamped: mean ≈ 0.5005, standard error ≈ 0.009
    assertEquals(0.5005, mean / a.length, 0.05);
  }

  @Test
  void errorsNameTheProblem() {
    Gdf gdf = Gdf.stageC(false);
    try (Tensor x0 = tensor("x0"); Tensor eps = tensor("eps")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> gdf.diffuse(x0, eps, new float[] {0.5f}, 1, 1));
      assertTrue(e.getMessage().contains("1 timesteps"), e.getMessage());
      try (Gdf.Diffused d = gdf.diffuse(x0, eps, io.floats("t"), 1, 1)) {
        e = assertThrows(IllegalArgumentException.class, () -> gdf.loss(x0, d, 0));
        assertTrue(e.getMessage().contains("gradient_accumulation_steps"), e.getMessage());
      }
    }
  }
}
