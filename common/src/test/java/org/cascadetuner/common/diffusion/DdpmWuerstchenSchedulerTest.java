package org.cascadetuner.common.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
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
 * diffusers' DDPMWuerstchenScheduler against {@code goldens/scheduler}: the timesteps and ᾱ, every one-step fixture
 * {@code step/i/*}, add_noise, the loop with the ideal predictor, and the guided loop's plumbing replayed from the
 * step fixtures (the guided loop with the real tiny UNet is StageCPriorGoldenLoopTest).
 */
class DdpmWuerstchenSchedulerTest {
  /** max|diff| / max|ref|: ᾱ(0.9) is one ulp off PyTorch's SLEEF cos, which steps 1 and 2 amplify to ~1e-7. */
  static final double TOL = 1e-6;
  static Backend be;
  static SafeTensors io;
  static DdpmWuerstchenScheduler scheduler;

  @BeforeAll
  static void open() {
    be = Backends.get("cpu");
    io = SafeTensors.open(SharedFiles.goldens("scheduler/io.safetensors"));
    scheduler = DdpmWuerstchenScheduler.fromConfig(SharedFiles.goldens("scheduler/config.json"));
  }

  @AfterAll
  static void close() {
    io.close();
  }

  /** The step indices of the golden's {@code <prefix>/<i>/...} or {@code <prefix>/<i>} entries, in order. */
  static List<String> indices(String prefix) {
    TreeSet<String> out = new TreeSet<>();
    for (String n : io.names()) {
      if (n.startsWith(prefix + "/")) out.add(n.substring(prefix.length() + 1).split("/")[0]);
    }
    return new ArrayList<>(out);
  }


  @Test
  void configIsRead() {
    assertEquals(0.008f, scheduler.s());
    assertEquals(1.0, scheduler.scaler());
    assertEquals(scheduler, DdpmWuerstchenScheduler.defaults());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DdpmWuerstchenScheduler.fromJson("{\"s\": \"x\"}", "scheduler_config.json"));
    assertTrue(e.getMessage().contains("'s'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> DdpmWuerstchenScheduler.fromJson("{\"_class_name\": \"DDPMScheduler\"}", "scheduler_config.json"));
    assertTrue(e.getMessage().contains("DDPMScheduler"), e.getMessage());
  }

  @Test
  void timestepsAndAlphaCumprod() {
    float[] want = io.floats("timesteps");
    float[] ts = scheduler.timesteps(want.length - 1);
    // torch.linspace's SIMD path may differ from its scalar definition by one ulp (spec decoder-architecture §3.2)
    for (int i = 0; i < want.length; i++)
      assertTrue(Floats.ulps(want[i], ts[i]) <= 1, "timestep " + i + ": want " + want[i] + ", got " + ts[i]);
    Floats.assertClose("timesteps", want, ts, 2e-7, 1e-2);
    Floats.assertClose("alphas_cumprod_at_timesteps", io.floats("alphas_cumprod_at_timesteps"),
        scheduler.alphaCumprod(want), 1e-6, 1e-4);
  }

  @Test
  void everyOneStepFixture() {
    List<String> steps = indices("step");
    assertTrue(steps.size() > 0, "no step/<i> fixtures");
    double worst = 0;
    for (String i : steps) {
      String k = "step/" + i + "/";
      try (Tensor eps = be.load(io, k + "model_output"); Tensor x = be.load(io, k + "sample_in");
          Tensor z = be.load(io, k + "noise");
          Tensor prev = scheduler.step(eps, io.floats(k + "t"), io.floats(k + "prev_t"), x, z)) {
        double e = Compare.relativeError(io.floats(k + "prev_sample"), prev.toFloats());
        assertTrue(e <= TOL, k + "prev_sample: relative error " + e);
        worst = Math.max(worst, e);
      }
    }
    System.out.printf("scheduler step fixtures (%d): max relative error %.2e%n", steps.size(), worst);
  }

  @Test
  void theLastStepAddsNoNoise() {
    List<String> steps = indices("step");
    String k = "step/" + steps.get(steps.size() - 1) + "/";
    float[] prevT = io.floats(k + "prev_t");
    for (float p : prevT) assertEquals(0f, p, "the last fixture steps to t = 0");
    try (Tensor eps = be.load(io, k + "model_output"); Tensor x = be.load(io, k + "sample_in");
        Tensor z = be.load(io, k + "noise");
        Tensor withNoise = scheduler.step(eps, io.floats(k + "t"), prevT, x, z);
        Tensor without = scheduler.step(eps, io.floats(k + "t"), prevT, x, null)) {
      assertArrayEquals(withNoise.toFloats(), without.toFloats());
    }
    try (Tensor eps = be.load(io, "step/" + steps.get(0) + "/model_output")) {
      assertThrows(IllegalArgumentException.class,
          () -> scheduler.step(eps, new float[] {1f, 1f}, new float[] {0.5f, 0.5f}, eps, null));
    }
  }

  @Test
  void addNoise() {
    try (Tensor x0 = be.load(io, "add_noise_x0"); Tensor z = be.load(io, "add_noise_noise");
        Tensor out = scheduler.addNoise(x0, z, io.floats("add_noise_t"))) {
      double e = Compare.relativeError(io.floats("add_noise_out"), out.toFloats());
      System.out.printf("add_noise: relative error %.2e%n", e);
      assertTrue(e <= TOL, "add_noise: relative error " + e);
    }
  }

  /** Stored noise of the golden, step by step, as the sampler asks for it; records which steps asked. */
  static final class Replay implements StepNoise {
    final String prefix;
    final List<Integer> asked = new ArrayList<>();

    Replay(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Tensor noise(int step, long[] shape) {
      asked.add(step);
      Tensor z = be.load(io, String.format(prefix, step));
      assertArrayEquals(shape, z.shape(), "noise shape of step " + step);
      return z;
    }
  }

  static PriorConditioning conditioning(String suffix) {
    // the stand-in models ignore the image embedding; its width does not matter here
    return new PriorConditioning(be.load(io, "clip_text" + suffix), be.load(io, "clip_text_pooled" + suffix),
        be.zeros(io.info("clip_text" + suffix).shape()[0], 1, 1));
  }

  @Test
  void idealPredictorLoop() {
    // the ideal ε-predictor for a known x0: ε̂ = (x − sqrt(ᾱ(t))·x0) / sqrt(1 − ᾱ(t)); the loop must land on the
    // golden's final latents (close to x0_goal)
    int steps = indices("ideal/noise").size();
    try (Tensor goal = be.load(io, "ideal/x0_goal"); Tensor init = be.load(io, "ideal/latents_init");
        PriorConditioning cond = conditioning("")) {
      PriorModel ideal = (x, r, c) -> {
        float[] ac = scheduler.alphaCumprod(r.toFloats());
        float[] sa = new float[ac.length], sb = new float[ac.length];
        for (int i = 0; i < ac.length; i++) {
          sa[i] = (float) Math.sqrt(ac[i]);
          sb[i] = (float) Math.sqrt(1f - ac[i]);
        }
        long[] col = {ac.length, 1, 1, 1};
        try (Tensor ka = be.fromFloats(sa, col); Tensor kb = be.fromFloats(sb, col); Tensor ax = be.mul(goal, ka);
            Tensor d = be.sub(x, ax)) {
          return be.div(d, kb);
        }
      };
      Replay noise = new Replay("ideal/noise/%02d");
      try (Tensor out = new PriorSampler(scheduler, steps, 1f).sample(ideal, init, cond, null, noise)) {
        double e = Compare.relativeError(io.floats("ideal/latents_final"), out.toFloats());
        System.out.printf("ideal-predictor loop (%d steps): relative error %.2e%n", steps, e);
        assertTrue(e <= TOL, "ideal/latents_final: relative error " + e);
      }
      List<Integer> want = new ArrayList<>();
      for (int i = 0; i < steps - 1; i++) want.add(i);
      assertEquals(want, noise.asked, "noise is drawn for every step but the last");
    }
  }

  @Test
  void guidedLoopPlumbingReplaysTheStepFixtures() {
    // a stand-in model that checks the guided batch ([x; x] at [t; t] under [cond; uncond]) and answers the
    // fixture's ε in both halves, so lerp gives it back exactly; the loop must then chain the fixtures
    List<String> steps = indices("step");
    try (Tensor init = be.load(io, "latents_init"); PriorConditioning cond = conditioning("");
        PriorConditioning uncond = conditioning("_uncond")) {
      long batch = init.size(0);
      int[] call = {0};
      PriorModel stand = (x, r, c) -> {
        String k = "step/" + steps.get(call[0]++) + "/";
        assertEquals(2 * batch, x.size(0), "guided batch");
        float[] t = io.floats(k + "t");
        float[] rr = r.toFloats();
        for (int i = 0; i < 2 * batch; i++) {
          // our linspace vs the golden's: equal or one ulp apart (see timestepsAndAlphaCumprod)
          assertTrue(Floats.ulps(t[(int) (i % batch)], rr[i]) <= 1, k + "t of row " + i + ": " + rr[i]);
        }
        try (Tensor x0 = be.slice(x, 0, 0, batch); Tensor x1 = be.slice(x, 0, batch, 2 * batch)) {
          Compare.assertClose(k + "sample_in (cond half)", io.floats(k + "sample_in"), x0, TOL);
          assertArrayEquals(x0.toFloats(), x1.toFloats(), "both halves see the same latents");
        }
        try (Tensor c0 = be.slice(c.clipText(), 0, 0, batch); Tensor c1 = be.slice(c.clipText(), 0, batch, 2 * batch)) {
          assertArrayEquals(io.floats("clip_text"), c0.toFloats(), "conditional half first");
          assertArrayEquals(io.floats("clip_text_uncond"), c1.toFloats(), "unconditional half second");
        }
        try (Tensor eps = be.load(io, k + "model_output")) {
          return be.concat(0, eps, eps);
        }
      };
      float w = readGuidanceScale();
      try (Tensor out = new PriorSampler(scheduler, steps.size(), w).sample(stand, init, cond, uncond,
          new Replay("step/%02d/noise"))) {
        double e = Compare.relativeError(io.floats("latents_final"), out.toFloats());
        System.out.printf("guided loop replay (%d steps, w=%s): relative error %.2e%n", steps.size(), w, e);
        assertTrue(e <= TOL, "latents_final: relative error " + e);
      }
      assertEquals(steps.size(), call[0], "one model call per step");
    }
  }

  static float readGuidanceScale() {
    try {
      return (float) new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(SharedFiles.goldens("scheduler/meta.json").toFile()).get("guidance_scale").asDouble();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void seededNoiseMakesSamplingReproducible() {
    // the production noise: the same seed gives the same latents, another seed others
    PriorModel zero = (x, r, c) -> be.zeros(x.shape());
    PriorSampler sampler = new PriorSampler(scheduler, 4, 1f);
    try (Tensor init = be.load(io, "latents_init"); PriorConditioning cond = conditioning("");
        Tensor a = sampler.sample(zero, init, cond, null, StepNoise.seeded(be, 11));
        Tensor b = sampler.sample(zero, init, cond, null, StepNoise.seeded(be, 11));
        Tensor c = sampler.sample(zero, init, cond, null, StepNoise.seeded(be, 12))) {
      assertArrayEquals(a.toFloats(), b.toFloats());
      assertTrue(Compare.relativeError(a.toFloats(), c.toFloats()) > 1e-3, "another seed, other latents");
    }
  }

  @Test
  void lerpIsTorchLerp() {
    float[] u = {0.1f, -3.5f, 2f, 1e-3f}, c = {0.7f, 1.25f, -2f, 5f};
    try (Tensor tu = be.fromFloats(u, 4); Tensor tc = be.fromFloats(c, 4)) {
      for (float w : new float[] {0f, 0.25f, 1f, 4f, -2f}) {
        try (Tensor l = PriorSampler.lerp(be, tu, tc, w)) {
          float[] got = l.toFloats();
          for (int i = 0; i < 4; i++) {
            float d = c[i] - u[i];
            float want = Math.abs(w) < 0.5f ? u[i] + w * d : c[i] - d * (1f - w);
            assertEquals(want, got[i], "lerp(" + u[i] + ", " + c[i] + ", " + w + ")");
          }
        }
      }
      try (Tensor one = PriorSampler.lerp(be, tu, tc, 1f)) {
        assertArrayEquals(c, one.toFloats(), "w = 1 gives the conditional prediction exactly");
      }
    }
  }
}
