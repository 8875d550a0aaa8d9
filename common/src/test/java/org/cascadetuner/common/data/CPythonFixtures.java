package org.cascadetuner.common.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reference outputs of CPython made by the scripts beside them in src/test/resources/cpython/
 * ({@code make_cpython_random.py}, {@code make_cpython_math.py}); rerun a script to regenerate its file.
 */
final class CPythonFixtures {
  private CPythonFixtures() {}

  static JsonNode load(String name) {
    try (InputStream in = CPythonFixtures.class.getResourceAsStream("/cpython/" + name)) {
      if (in == null) throw new IllegalStateException("test resource cpython/" + name + " missing");
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double fromBits(String hex) {
    return Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16));
  }
}
