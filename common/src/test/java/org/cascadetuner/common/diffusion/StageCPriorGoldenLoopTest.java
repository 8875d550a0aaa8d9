package org.cascadetuner.common.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.models.stagec.StableCascadeUNet;
import org.cascadetuner.common.models.stagec.StageCModelFolder;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Backends;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The objective and the sampler with the real (tiny) Stage C prior of {@code goldens/unet_tiny}: the GDF golden's
 * {@code pred} is that model on the noised latents at r = noise_cond, and the scheduler golden's guided loop is
 * diffusers' prior pipeline over it. Compared relatively (max|diff| / max|ref|): |x| grows to ~500 in the loop.
 */
class StageCPriorGoldenLoopTest {
  /** The model alone matches its golden to ~1e-6 (StableCascadeUNetTest uses 1e-4). */
  static final double MODEL_TOL = 1e-4;
  static Backend be;
  static StableCascadeUNet unet;

  @BeforeAll
  static void load() {
    be = Backends.get("cpu");
    Path dir = SharedFiles.goldens("unet_tiny");
    Configuration conf = new Configuration();
    unet = StableCascadeUNet.load(StageCModelFolder.resolve(dir.toString(), "stage-c", conf), conf, be, n -> false);
  }

  @AfterAll
  static void close() {
    unet.close();
  }

  /** The prior as the sampler sees it: eval mode, no sca/crp. */
  static final PriorModel PRIOR = (x, r, c) -> unet.forward(new StableCascadeUNet.Inputs(x, r, c.clipTextPooled(),
      c.clipText(), c.clipImg(), null, null), Tape.NONE, StableCascadeUNet.Mode.EVAL);

  @Test
  void gdfPredictionIsThePriorOnOurDiffusedLatents() {
    try (SafeTensors io = SafeTensors.open(SharedFiles.goldens("gdf/io.safetensors"));
        Tensor x0 = be.load(io, "x0"); Tensor eps = be.load(io, "eps");
        PriorConditioning cond = new PriorConditioning(be.load(io, "clip_text"), be.load(io, "clip_text_pooled"),
            be.load(io, "clip_img"))) {
      Gdf gdf = Gdf.stageC(false);
      try (Gdf.Diffused d = gdf.diffuse(x0, eps, io.floats("t"), 1, 1); Tensor r = be.fromFloats(d.r(), d.r().length);
          Tensor pred = PRIOR.predict(d.noised(), r, cond); Gdf.Loss loss = gdf.loss(pred, d, 1)) {
        double e = Compare.relativeError(io.floats("pred"), pred.toFloats());
        System.out.printf("gdf pred from our noised latents and r: relative error %.2e%n", e);
        assertTrue(e <= MODEL_TOL, "pred: relative error " + e);
        Floats.assertClose("loss_adjusted_p2 (model in the loop)", io.floats("loss_adjusted_p2"),
            new float[] {loss.adjusted()}, 1e-5, 1);
      }
    }
  }

  @Test
  void guidedTwentyStepLoopWithTheTinyPrior() {
    try (SafeTensors io = SafeTensors.open(SharedFiles.goldens("scheduler/io.safetensors"));
        Tensor init = be.load(io, "latents_init")) {
      DdpmWuerstchenScheduler scheduler =
          DdpmWuerstchenScheduler.fromConfig(SharedFiles.goldens("scheduler/config.json"));
      List<String> steps = new ArrayList<>(new java.util.TreeSet<>(io.names().stream()
          .filter(n -> n.startsWith("step/")).map(n -> n.split("/")[1]).toList()));
      long batch = init.size(0);
      // text-to-image: diffusers feeds zero image embeddings [B, 1, clip_image_in_channels] to both halves
      int imgChannels = unet.config().clipImageInChannels();
      List<Double> worstPerStep = new ArrayList<>();
      int[] call = {0};
      PriorModel checked = (x, r, c) -> {
        String k = "step/" + steps.get(call[0]++) + "/";
        try (Tensor half = be.slice(x, 0, 0, batch)) {
          worstPerStep.add(Compare.relativeError(io.floats(k + "sample_in"), half.toFloats()));
        }
        return PRIOR.predict(x, r, c);
      };
      try (PriorConditioning cond = new PriorConditioning(be.load(io, "clip_text"), be.load(io, "clip_text_pooled"),
              be.zeros(batch, 1, imgChannels));
          PriorConditioning uncond = new PriorConditioning(be.load(io, "clip_text_uncond"),
              be.load(io, "clip_text_pooled_uncond"), be.zeros(batch, 1, imgChannels));
          Tensor out = new PriorSampler(scheduler, steps.size(), DdpmWuerstchenSchedulerTest.readGuidanceScale())
              .sample(checked, init, cond, uncond, (i, shape) -> be.load(io, String.format("step/%02d/noise", i)))) {
        assertEquals(steps.size(), call[0]);
        double e = Compare.relativeError(io.floats("latents_final"), out.toFloats());
        double maxAbs = 0;
        for (float v : io.floats("latents_final")) maxAbs = Math.max(maxAbs, Math.abs(v));
        System.out.printf("guided %d-step loop with the tiny prior: final relative error %.2e (max |x| %.1f); per-step "
            + "sample_in errors %s%n", steps.size(), e, maxAbs, worstPerStep.stream()
            .map(v -> String.format("%.1e", v)).toList());
        assertTrue(e <= 1e-4, "latents_final: relative error " + e);
      }
    }
  }
}
