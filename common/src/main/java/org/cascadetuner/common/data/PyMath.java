package org.cascadetuner.common.data;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's numeric semantics where SimpleTuner's geometry depends on them (spec data-pipeline §3.2): {@code round}
 * is half-to-even on the exact binary value, {@code int()} truncates toward zero, and bucket keys are the {@code repr}
 * of a float. Every method here reproduces CPython exactly; the geometry code calls nothing else for rounding.
 */
public final class PyMath {
  private PyMath() {}

  /** Python {@code round(x)}: nearest integer, ties to even, on the exact double (160/64 = 2.5 → 2). */
  public static long round(double x) {
    return (long) Math.rint(x);
  }

  /** Python {@code round(x, n)}: the exact binary value rounded half-even to n decimals, back to the nearest double. */
  public static double round(double x, int ndigits) {
    if (Double.isNaN(x) || Double.isInfinite(x) || x == 0) return x;
    return new BigDecimal(x).setScale(ndigits, RoundingMode.HALF_EVEN).doubleValue();
  }

  /** Python {@code int(x)} of a float: toward zero. */
  public static long trunc(double x) {
    return (long) x;
  }

  /** SimpleTuner's {@code _round_to_nearest_multiple}: {@code max(round(v / m) * m, m)}. */
  public static long snap(double value, int multiple) {
    return Math.max(round(value / multiple) * multiple, multiple);
  }

  /** The aspect key {@code round(w / h, rounding)} (§3.2 {@code key}). */
  public static double aspectKey(long width, long height, int rounding) {
    return round((double) width / (double) height, rounding);
  }

  /**
   * Python {@code repr(float)}: the shortest decimal that reads back as the same double (the closest one when
   * several have that length), fixed notation for decimal exponents -4 < e <= 16, else {@code 1.5e-05} style.
   */
  public static String repr(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) return (Double.doubleToRawLongBits(v) < 0) ? "-0.0" : "0.0";
    String sign = v < 0 ? "-" : "";
    BigDecimal shortest = shortestRoundTrip(Math.abs(v));
    String digits = shortest.unscaledValue().toString();
    int decpt = digits.length() - shortest.scale(); // value = 0.<digits> * 10^decpt
    StringBuilder out = new StringBuilder(sign);
    if (decpt <= -4 || decpt > 16) {
      out.append(digits.charAt(0));
      if (digits.length() > 1) out.append('.').append(digits, 1, digits.length());
      int exp = decpt - 1;
      out.append('e').append(exp < 0 ? '-' : '+');
      String e = Integer.toString(Math.abs(exp));
      if (e.length() < 2) out.append('0');
      out.append(e);
    } else if (decpt <= 0) {
      out.append("0.").append("0".repeat(-decpt)).append(digits);
    } else if (decpt >= digits.length()) {
      out.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
    } else {
      out.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
    }
    return out.toString();
  }

  private static BigDecimal shortestRoundTrip(double v) {
    BigDecimal exact = new BigDecimal(v);
    for (int p = 1; p <= 17; p++) {
      BigDecimal nearest = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (nearest.doubleValue() == v) return nearest.stripTrailingZeros();
      // At a power of two the round-trip interval is lopsided: the other p-digit neighbour may still read back.
      BigDecimal other = exact.round(new MathContext(p,
          nearest.compareTo(exact) > 0 ? RoundingMode.FLOOR : RoundingMode.CEILING));
      if (other.doubleValue() == v) return other.stripTrailingZeros();
    }
    return exact.round(MathContext.DECIMAL64).stripTrailingZeros();
  }
}
