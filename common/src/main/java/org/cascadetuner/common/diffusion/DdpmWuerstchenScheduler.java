package org.cascadetuner.common.diffusion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;

/**
 * diffusers' {@code DDPMWuerstchenScheduler} (spec stage-c-architecture.md §4.2): a self-contained DDPM sampler on
 * the continuous cosine schedule {@code ᾱ(t) = clamp(cos((t + s)/(1 + s)·π/2)² / cos(s/(1 + s)·π/2)², 1e-4,
 * 0.9999)}, t running from 1 to 0. Immutable; the timestep list is a value the caller holds.
 *
 * @param s the schedule offset (config {@code s}, 0.008)
 * @param scaler warps t before the schedule: {@code 1 − (1 − t)^scaler} when > 1, {@code t^scaler} when < 1
 */
public record DdpmWuerstchenScheduler(float s, double scaler) {

  public DdpmWuerstchenScheduler {
    if (!(s >= 0)) throw new IllegalArgumentException("scheduler s is " + s + "; it must be >= 0");
    if (!(scaler > 0)) throw new IllegalArgumentException("scheduler scaler is " + scaler + "; it must be > 0");
  }

  /** diffusers' defaults, which the Stage C prior's scheduler_config.json also holds. */
  public static DdpmWuerstchenScheduler defaults() {
    return new DdpmWuerstchenScheduler(0.008f, 1.0);
  }

  /** From a diffusers {@code scheduler_config.json}; absent keys take diffusers' defaults. */
  public static DdpmWuerstchenScheduler fromConfig(Path configJson) {
    try {
      return fromJson(Files.readString(configJson), configJson.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read scheduler config " + configJson, e);
    }
  }

  public static DdpmWuerstchenScheduler fromJson(String json, String where) {
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
    if (n == null || !n.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object");
    JsonNode cls = n.get("_class_name");
    if (cls != null && !cls.asText().equals("DDPMWuerstchenScheduler"))
      throw new IllegalArgumentException(where + ": _class_name is '" + cls.asText()
          + "'; the Stage C prior samples with DDPMWuerstchenScheduler");
    return new DdpmWuerstchenScheduler((float) number(n, "s", 0.008, where), number(n, "scaler", 1.0, where));
  }

  private static double number(JsonNode n, String key, double dflt, String where) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) return dflt;
    if (!v.isNumber()) throw new IllegalArgumentException(where + ": '" + key + "' is " + v + "; expected a number");
    return v.doubleValue();
  }

  /** {@code set_timesteps(n)}: {@code linspace(1, 0, n + 1)} in float32; a sampling loop runs over the first n. */
  public float[] timesteps(int steps) {
    if (steps < 1) throw new IllegalArgumentException("num_inference_steps is " + steps + "; it must be >= 1");
    return F32.linspace(1f, 0f, steps + 1);
  }

  /** ᾱ at each t. */
  public float[] alphaCumprod(float[] t) {
    float c0 = F32.cos(s / (1f + s) * F32.PI * 0.5f);
    float init = c0 * c0;
    float[] out = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      float u = t[i];
      if (scaler > 1) u = 1f - F32.pow(1f - u, scaler);
      else if (scaler < 1) u = F32.pow(u, scaler);
      float c = F32.cos((u + s) / (1f + s) * F32.PI * 0.5f);
      out[i] = F32.clamp(c * c / init, 1e-4f, 0.9999f);
    }
    return out;
  }

  /**
   * One reverse step from t to prevT (per sample, [B]): {@code α = ᾱ(t)/ᾱ(prev)},
   * {@code μ = sqrt(1/α)·(x − (1 − α)·eps / sqrt(1 − ᾱ(t)))},
   * {@code x_prev = μ + sqrt((1 − α)(1 − ᾱ(prev))/(1 − ᾱ(t)))·noise} where prevT ≠ 0, μ where prevT = 0.
   * Tensor operations in diffusers' order.
   *
   * @param noise standard normal of x's shape; may be null when every prevT is 0 (it would be multiplied by 0)
   */
  public Tensor step(Tensor eps, float[] t, float[] prevT, Tensor x, Tensor noise) {
    int batch = (int) x.size(0);
    if (t.length != batch || prevT.length != batch)
      throw new IllegalArgumentException("step needs one t and one prev_t per sample: batch " + batch + ", t "
          + t.length + ", prev_t " + prevT.length);
    float[] ac = alphaCumprod(t), acPrev = alphaCumprod(prevT);
    float[] c1 = new float[batch], c2 = new float[batch], c3 = new float[batch], c4 = new float[batch];
    boolean anyNoise = false;
    for (int i = 0; i < batch; i++) {
      float alpha = ac[i] / acPrev[i];
      c1[i] = 1f - alpha;
      c2[i] = F32.sqrt(1f - ac[i]);
      c3[i] = F32.sqrt(1f / alpha);
      c4[i] = prevT[i] != 0 ? F32.sqrt((1f - alpha) * (1f - acPrev[i]) / (1f - ac[i])) : 0f;
      anyNoise |= prevT[i] != 0;
    }
    if (anyNoise && noise == null) throw new IllegalArgumentException("step to prev_t != 0 needs noise");
    Backend be = x.backend();
    long[] col = perSample(x);
    Tensor mu;
    try (Tensor k1 = be.fromFloats(c1, col); Tensor k2 = be.fromFloats(c2, col); Tensor k3 = be.fromFloats(c3, col);
        Tensor e1 = be.mul(eps, k1); Tensor e2 = be.div(e1, k2); Tensor d = be.sub(x, e2)) {
      mu = be.mul(d, k3);
    }
    if (!anyNoise) return mu;
    try (mu; Tensor k4 = be.fromFloats(c4, col); Tensor z = be.mul(noise, k4)) {
      return be.add(mu, z);
    }
  }

  /** {@code add_noise}: {@code sqrt(ᾱ(t))·x0 + sqrt(1 − ᾱ(t))·noise}, t per sample. */
  public Tensor addNoise(Tensor x0, Tensor noise, float[] t) {
    int batch = (int) x0.size(0);
    if (t.length != batch) throw new IllegalArgumentException(t.length + " timesteps for a batch of " + batch);
    float[] ac = alphaCumprod(t);
    float[] a = new float[batch], b = new float[batch];
    for (int i = 0; i < batch; i++) {
      a[i] = F32.sqrt(ac[i]);
      b[i] = F32.sqrt(1f - ac[i]);
    }
    Backend be = x0.backend();
    long[] col = perSample(x0);
    try (Tensor ka = be.fromFloats(a, col); Tensor kb = be.fromFloats(b, col); Tensor ax = be.mul(x0, ka);
        Tensor bn = be.mul(noise, kb)) {
      return be.add(ax, bn);
    }
  }

  private static long[] perSample(Tensor x) {
    long[] s = new long[x.rank()];
    java.util.Arrays.fill(s, 1);
    s[0] = x.size(0);
    return s;
  }
}
