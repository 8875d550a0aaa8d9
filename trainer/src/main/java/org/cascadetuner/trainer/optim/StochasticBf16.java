package org.cascadetuner.trainer.optim;

import org.cascadetuner.common.diffusion.SeededNoise;
import org.cascadetuner.common.io.HalfFloats;

/**
 * float32 → bfloat16 with stochastic rounding ("Revisiting BFloat16 Training", Zamirai et al. 2020): a random
 * 16-bit integer r, uniform on [0, 65535], is added to the float's bit pattern and the low 16 bits are dropped. A
 * float whose discarded bits are L lies L/65536 of the way from its truncation to the next bfloat16 away from zero,
 * and it rounds there with probability exactly L/65536, so the rounding is unbiased: E[round(x)] = x. Values that
 * bfloat16 holds exactly never move.
 *
 * <p>Edge cases: NaN stays NaN; ±∞ stays; a finite value above the largest bfloat16 that would round up into ∞ keeps
 * the largest finite bfloat16 of its sign instead.
 *
 * <p>Random bits: element i of the draw named {@code key} uses the top 16 bits of {@link SeededNoise#bits}(key, i),
 * so rounding is reproducible across runs, resumes and worker counts.
 */
public final class StochasticBf16 {
  private StochasticBf16() {}

  /** One rounding with the given 16 random bits ({@code 0 <= r16 < 65536}). */
  public static short round(float x, int r16) {
    int b = Float.floatToRawIntBits(x);
    int mag = b & 0x7fffffff;
    if (mag > 0x7f800000) return (short) ((b >>> 16) | 0x0040); // NaN, kept quiet
    int up = b + r16;
    if (mag < 0x7f800000 && (up & 0x7fffffff) >= 0x7f800000) return (short) (((b >>> 16) & 0x8000) | 0x7f7f);
    return (short) (up >>> 16);
  }

  /** Rounds {@code src} into {@code dst} with the draw {@code key}. */
  public static void round(float[] src, short[] dst, long key) {
    if (src.length != dst.length) throw new IllegalArgumentException(src.length + " floats for " + dst.length + " bf16");
    for (int i = 0; i < src.length; i++) dst[i] = round(src[i], (int) (SeededNoise.bits(key, i) >>> 48));
  }

  /** Rounds {@code values} in place to bfloat16-representable floats with the draw {@code key}. */
  public static void roundInPlace(float[] values, long key) {
    for (int i = 0; i < values.length; i++)
      values[i] = HalfFloats.bf16ToFloat(round(values[i], (int) (SeededNoise.bits(key, i) >>> 48)));
  }

  public static float[] widen(short[] bf16) {
    float[] out = new float[bf16.length];
    for (int i = 0; i < out.length; i++) out[i] = HalfFloats.bf16ToFloat(bf16[i]);
    return out;
  }

  /** Round to nearest even (for restoring averaged or float32 state, where no stochastic draw is owed). */
  public static short[] nearest(float[] src) {
    short[] out = new short[src.length];
    for (int i = 0; i < out.length; i++) out[i] = HalfFloats.floatToBf16(src[i]);
    return out;
  }
}
