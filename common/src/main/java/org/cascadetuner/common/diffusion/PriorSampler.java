package org.cascadetuner.common.diffusion;

import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * The Stage C prior's sampling loop as diffusers' {@code StableCascadePriorPipeline} runs it (spec §4.2): timesteps
 * {@code linspace(1, 0, steps + 1)}, the model called at the first {@code steps} of them with the raw t as its ratio;
 * with guidance {@code w > 1} the model sees {@code [x; x]} under {@code [cond; uncond]} and
 * {@code eps = lerp(uncond, cond, w)}; each step is {@link DdpmWuerstchenScheduler#step}, and the last (to t = 0)
 * adds no noise. The trainer's validation and {@code cascade-tuner sample} both run it.
 *
 * @param steps num_inference_steps (20 in diffusers' prior pipeline)
 * @param guidanceScale w (4.0 in diffusers; classifier-free guidance only when > 1)
 */
public record PriorSampler(DdpmWuerstchenScheduler scheduler, int steps, float guidanceScale) {

  public PriorSampler {
    if (steps < 1) throw new IllegalArgumentException("num_inference_steps is " + steps + "; it must be >= 1");
    if (!Float.isFinite(guidanceScale))
      throw new IllegalArgumentException("guidance_scale is " + guidanceScale + "; it must be a finite number");
  }

  public boolean guided() {
    return guidanceScale > 1f;
  }

  /**
   * Denoises {@code latents} (standard normal [B, C, H, W]; not closed) to the image embeddings Stage B decodes.
   *
   * @param uncond the negative-prompt conditioning; unused (may be null) without guidance
   * @param noise the noise of each step that adds noise (steps 0 … steps − 2)
   */
  public Tensor sample(PriorModel model, Tensor latents, PriorConditioning cond, PriorConditioning uncond,
      StepNoise noise) {
    Backend be = latents.backend();
    int batch = (int) latents.size(0);
    if (cond.batch() != batch)
      throw new IllegalArgumentException("conditioning batch " + cond.batch() + " != latent batch " + batch);
    if (guided() && (uncond == null || uncond.batch() != batch))
      throw new IllegalArgumentException("guidance_scale " + guidanceScale + " > 1 needs an unconditional "
          + "conditioning of batch " + batch);
    float[] ts = scheduler.timesteps(steps);
    PriorConditioning both = guided() ? cond.concat(uncond) : null;
    Tensor x = latents.retain();
    try {
      for (int i = 0; i < steps; i++) {
        float[] t = filled(batch, ts[i]), prev = filled(batch, ts[i + 1]);
        Tensor eps = guided() ? guidedEps(model, be, x, t, both) : unguidedEps(model, be, x, t, cond);
        try (eps; Tensor z = ts[i + 1] != 0 ? noise.noise(i, x.shape()) : null) {
          Tensor next = scheduler.step(eps, t, prev, x, z);
          x.close();
          x = next;
        }
      }
      return x;
    } catch (RuntimeException e) {
      x.close();
      throw e;
    } finally {
      if (both != null) both.close();
    }
  }

  private static Tensor unguidedEps(PriorModel model, Backend be, Tensor x, float[] t, PriorConditioning cond) {
    try (Tensor r = be.fromFloats(t, t.length)) {
      return model.predict(x, r, cond);
    }
  }

  private Tensor guidedEps(PriorModel model, Backend be, Tensor x, float[] t, PriorConditioning both) {
    int batch = t.length;
    float[] tt = new float[2 * batch];
    System.arraycopy(t, 0, tt, 0, batch);
    System.arraycopy(t, 0, tt, batch, batch);
    try (Tensor r = be.fromFloats(tt, tt.length); Tensor xx = be.concat(0, x, x);
        Tensor out = model.predict(xx, r, both); Tensor c = be.slice(out, 0, 0, batch);
        Tensor u = be.slice(out, 0, batch, 2L * batch)) {
      return lerp(be, u, c, guidanceScale);
    }
  }

  /**
   * {@code torch.lerp(start, end, w)}: {@code start + w·(end − start)} for |w| < 0.5, else
   * {@code end − (end − start)·(1 − w)} (the form torch uses to stay exact at w = 1).
   */
  static Tensor lerp(Backend be, Tensor start, Tensor end, float w) {
    try (Tensor d = be.sub(end, start)) {
      if (Math.abs(w) < 0.5f) {
        try (Tensor s = be.mul(d, w)) {
          return be.add(start, s);
        }
      }
      try (Tensor s = be.mul(d, 1f - w)) {
        return be.sub(end, s);
      }
    }
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
