package org.cascadetuner.common.data;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Where every random choice of the data pipeline gets its generator: a fresh {@link PyRandom} seeded from the run
 * seed, a purpose and the item's identity, so that a choice is a pure function of those — a killed job reruns to
 * the same crops, captions and batches, whichever executor or order computes them.
 *
 * <p>Derivation: {@code seed64 = first 8 bytes (big-endian, unsigned) of SHA-256(UTF-8 of
 * "<seed>\0<part 1>\0<part 2>…")}, then {@code random.Random(seed64)}. In Python:
 * {@code random.Random(int.from_bytes(hashlib.sha256("\0".join(map(str, [seed, *parts])).encode()).digest()[:8], "big"))}.
 */
public final class SeededDraws {
  private SeededDraws() {}

  public static PyRandom random(long seed, Object... parts) {
    StringBuilder s = new StringBuilder(Long.toString(seed));
    for (Object p : parts) s.append('\0').append(p);
    byte[] h;
    try {
      h = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] first8 = new byte[8];
    System.arraycopy(h, 0, first8, 0, 8);
    return new PyRandom(new BigInteger(1, first8));
  }
}
