package org.cascadetuner.common.data;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * CPython's {@code random.Random}: the MT19937 generator with CPython's seeding ({@code init_by_array} over the
 * 32-bit words of |seed|; a str seed is first turned into {@code int(bytes + sha512(bytes))}) and CPython's
 * derived methods ({@code random}, {@code getrandbits}, {@code _randbelow}, {@code shuffle}, {@code sample},
 * {@code choice}, {@code randint}, {@code choices}), so that values SimpleTuner derives from Python's generator
 * (caption_shuffle variants, bucket shuffles) come out identical. Checked against CPython 3.11 outputs in the tests.
 * Not thread-safe; cheap to create (one per seeded draw).
 */
public final class PyRandom {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] mt = new int[N];
  private int mti;

  public PyRandom(long seed) {
    seed(BigInteger.valueOf(seed));
  }

  public PyRandom(BigInteger seed) {
    seed(seed);
  }

  /** {@code random.Random("text")} (seed version 2). */
  public PyRandom(String seed) {
    byte[] b = seed.getBytes(StandardCharsets.UTF_8);
    byte[] h;
    try {
      h = MessageDigest.getInstance("SHA-512").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] all = new byte[b.length + h.length];
    System.arraycopy(b, 0, all, 0, b.length);
    System.arraycopy(h, 0, all, b.length, h.length);
    seed(new BigInteger(1, all));
  }

  private void seed(BigInteger n) {
    n = n.abs();
    int words = Math.max(1, (n.bitLength() + 31) / 32);
    int[] key = new int[words];
    for (int i = 0; i < words; i++) key[i] = n.shiftRight(32 * i).intValue();
    initByArray(key);
  }

  private void initGenrand(int s) {
    mt[0] = s;
    for (mti = 1; mti < N; mti++) {
      mt[mti] = 1812433253 * (mt[mti - 1] ^ (mt[mti - 1] >>> 30)) + mti;
    }
  }

  private void initByArray(int[] key) {
    initGenrand(19650218);
    int i = 1;
    int j = 0;
    for (int k = Math.max(N, key.length); k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (int k = N - 1; k > 0; k--) {
      mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** One 32-bit output of MT19937, as an unsigned value in a long. */
  private long genrand() {
    if (mti >= N) {
      int kk;
      for (kk = 0; kk < N - M; kk++) {
        int y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
      }
      for (; kk < N - 1; kk++) {
        int y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
      }
      int y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
      mti = 0;
    }
    int y = mt[mti++];
    y ^= (y >>> 11);
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= (y >>> 18);
    return y & 0xffffffffL;
  }

  /** {@code random()}: 53 random bits in [0, 1). */
  public double random() {
    long a = genrand() >>> 5;
    long b = genrand() >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /** {@code getrandbits(k)} for 0 <= k <= 63. */
  public long getrandbits(int k) {
    if (k < 0 || k > 63) throw new IllegalArgumentException("getrandbits supports 0..63 bits here, got " + k);
    if (k == 0) return 0;
    if (k <= 32) return genrand() >>> (32 - k);
    long low = genrand();
    long high = genrand() >>> (64 - k);
    return (high << 32) | low;
  }

  /** {@code _randbelow(n)}: uniform in [0, n) by rejection on {@code n.bit_length()} bits. */
  public long randbelow(long n) {
    if (n <= 0) throw new IllegalArgumentException("randbelow needs n > 0, got " + n);
    int k = 64 - Long.numberOfLeadingZeros(n);
    long r = getrandbits(k);
    while (r >= n) r = getrandbits(k);
    return r;
  }

  /** {@code randint(a, b)}: uniform in [a, b], both ends included. */
  public long randint(long a, long b) {
    if (b < a) throw new IllegalArgumentException("empty range for randint(" + a + ", " + b + ")");
    return a + randbelow(b - a + 1);
  }

  /** {@code choice(seq)}. */
  public <T> T choice(List<T> seq) {
    if (seq.isEmpty()) throw new IllegalArgumentException("cannot choose from an empty sequence");
    return seq.get((int) randbelow(seq.size()));
  }

  /** {@code shuffle(x)} in place (Fisher-Yates from the end, as CPython). */
  public <T> void shuffle(List<T> x) {
    for (int i = x.size() - 1; i > 0; i--) {
      int j = (int) randbelow(i + 1);
      T t = x.get(i);
      x.set(i, x.get(j));
      x.set(j, t);
    }
  }

  /** {@code shuffle} of an int array, identical draws to {@link #shuffle(List)} on a list of the same length. */
  public void shuffle(int[] x) {
    for (int i = x.length - 1; i > 0; i--) {
      int j = (int) randbelow(i + 1);
      int t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** {@code sample(population, k)}: CPython's pool method for small populations, set method otherwise. */
  public <T> List<T> sample(List<T> population, int k) {
    int n = population.size();
    if (k < 0 || k > n) throw new IllegalArgumentException("sample larger than population or negative: k=" + k + ", n=" + n);
    List<T> result = new ArrayList<>(k);
    int setsize = 21;
    if (k > 5) setsize += (int) Math.pow(4, Math.ceil(Math.log(k * 3.0) / Math.log(4)));
    if (n <= setsize) {
      List<T> pool = new ArrayList<>(population);
      for (int i = 0; i < k; i++) {
        int j = (int) randbelow(n - i);
        result.add(pool.get(j));
        pool.set(j, pool.get(n - i - 1));
      }
    } else {
      java.util.HashSet<Integer> selected = new java.util.HashSet<>();
      for (int i = 0; i < k; i++) {
        int j = (int) randbelow(n);
        while (selected.contains(j)) j = (int) randbelow(n);
        selected.add(j);
        result.add(population.get(j));
      }
    }
    return result;
  }

  /** {@code choices(population, weights)[0]}: one weighted draw by bisecting the cumulative weights. */
  public <T> T weightedChoice(List<T> population, double[] weights) {
    if (population.size() != weights.length || population.isEmpty()) {
      throw new IllegalArgumentException("weights must match a non-empty population");
    }
    double[] cum = new double[weights.length];
    double acc = 0;
    for (int i = 0; i < weights.length; i++) {
      acc += weights[i];
      cum[i] = acc;
    }
    double total = cum[cum.length - 1];
    if (!(total > 0)) throw new IllegalArgumentException("total of weights must be greater than zero");
    double x = random() * total;
    // bisect_right(cum, x, 0, n - 1)
    int lo = 0;
    int hi = cum.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (x < cum[mid]) hi = mid;
      else lo = mid + 1;
    }
    return population.get(lo);
  }
}
