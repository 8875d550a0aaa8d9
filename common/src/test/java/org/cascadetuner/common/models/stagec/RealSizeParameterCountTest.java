package org.cascadetuner.common.models.stagec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real prior and prior_lite (configs as on the hub, test resources) counted from the module tree without
 * allocating: totals, tensor counts in both namings, and the prior's per-module breakdown, all as the spec states
 * them (stage-c-architecture.md §1.1, read at test time).
 */
class RealSizeParameterCountTest {

  /** The config of a real flavour ({@code prior}, {@code prior_lite}) from the test resources. */
  static StableCascadeUNetConfig config(String flavour) {
    String res = "/org/cascadetuner/common/models/stagec/" + flavour + "/config.json";
    try (InputStream in = RealSizeParameterCountTest.class.getResourceAsStream(res)) {
      return StableCascadeUNetConfig.parse(new ObjectMapper().readTree(in), res);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String spec() throws IOException {
    return Files.readString(SharedFiles.spec("stage-c-architecture.md"));
  }

  static long number(String s) {
    return Long.parseLong(s.replace(",", ""));
  }

  /** "**prior = 3,589,103,632** (1,550 tensors diffusers / 1,294 original)" and the lite one after it. */
  static long[] specCounts(String flavour) throws IOException {
    Matcher m = Pattern.compile("\\*\\*" + flavour + " = ([\\d,]+)\\*\\* \\(([\\d,]+)(?: tensors diffusers)? / ([\\d,]+)")
        .matcher(spec());
    assertTrue(m.find(), "the spec states the parameter count of " + flavour);
    return new long[] {number(m.group(1)), number(m.group(2)), number(m.group(3))};
  }

  static long count(Map<String, long[]> shapes, java.util.function.Predicate<String> names) {
    return shapes.entrySet().stream().filter(e -> names.test(e.getKey()))
        .mapToLong(e -> Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b)).sum();
  }

  @ParameterizedTest
  @ValueSource(strings = {"prior", "prior_lite"})
  void countsEqualTheSpec(String flavour) throws IOException {
    long[] expected = specCounts(flavour);
    StableCascadeUNetConfig config = config(flavour);
    Map<String, long[]> shapes = StableCascadeUNet.parameterShapes(config);
    assertEquals(expected[0], StableCascadeUNet.parameterCount(config), flavour + " parameters");
    assertEquals(expected[1], shapes.size(), flavour + " tensors (diffusers names)");
    Set<String> original = new HashSet<>();
    for (String n : shapes.keySet()) original.add(StageCWeightNames.originalTensor(n));
    assertEquals(expected[2], original.size(), flavour + " tensors (original names)");
  }

  /** The spec's breakdown of the prior, module by module. */
  @ParameterizedTest
  @ValueSource(strings = {"prior"})
  void priorBreakdownEqualsTheSpec(String flavour) throws IOException {
    String s = spec();
    Matcher b = Pattern.compile("Breakdown for `prior`[^:]*:([^\\n]*\\n[^\\n]*\\n?[^\\n]*)").matcher(s);
    assertTrue(b.find());
    String line = b.group(1).replaceAll("\\s+", " ");
    Map<String, long[]> shapes = StableCascadeUNet.parameterShapes(config(flavour));
    Map<String, String> patterns = Map.of(
        "ResBlock ([\\d,]+)", "down_blocks.0.0.",
        "the one with skip: ([\\d,]+)", "up_blocks.1.0.",
        "TimestepBlock ([\\d,]+)", "down_blocks.0.1.",
        "AttnBlock ([\\d,]+)", "down_blocks.0.2.",
        "clip mappers ([\\d,]+)", "clip_",
        "embedding ([\\d,]+)", "embedding.",
        "downscaler and upscaler ([\\d,]+)", "down_downscalers.",
        "clf ([\\d,]+)", "clf.");
    for (Map.Entry<String, String> e : patterns.entrySet()) {
      Matcher m = Pattern.compile(e.getKey()).matcher(line);
      assertTrue(m.find(), "the spec's breakdown names " + e.getKey() + ": " + line);
      assertEquals(number(m.group(1)), count(shapes, n -> n.startsWith(e.getValue())), e.getValue());
    }
    assertEquals(count(shapes, n -> n.startsWith("down_downscalers.")), count(shapes, n -> n.startsWith("up_upscalers.")));
  }
}
