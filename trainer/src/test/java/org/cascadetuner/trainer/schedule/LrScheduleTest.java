package org.cascadetuner.trainer.schedule;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/** Every point of every curve in {@code goldens/optim/lr_curves.json} (diffusers get_scheduler + torch LambdaLR). */
class LrScheduleTest {
  private static final double RELATIVE = 1e-7;

  private static JsonNode curves() throws IOException {
    return new ObjectMapper().readTree(SharedFiles.goldens("optim/lr_curves.json").toFile());
  }

  /**
   * The golden's cosine_with_restarts cycle count: the file's {@code num_cycles} if it has one, else what the spec's
   * golden table says ("cosine_with_restarts (3 cycles)").
   */
  private static double numCycles(JsonNode root) throws IOException {
    if (root.has("num_cycles")) return root.get("num_cycles").asDouble();
    String spec = Files.readString(SharedFiles.spec("stage-c-architecture.md"));
    Matcher m = Pattern.compile("cosine_with_restarts \\((\\d+) cycles\\)").matcher(spec);
    assertTrue(m.find(), "neither lr_curves.json nor the spec states the cosine_with_restarts cycle count");
    return Double.parseDouble(m.group(1));
  }

  @TestFactory
  Stream<DynamicTest> everyGoldenCurveMatchesAtEveryStep() throws IOException {
    JsonNode root = curves();
    double baseLr = root.get("base_lr").asDouble();
    long warmup = root.get("warmup").asLong();
    long total = root.get("total").asLong();
    double cycles = numCycles(root);
    // get_scheduler's defaults: power 1.0 (polynomial, lr_end 1e-7)
    double power = root.path("power").asDouble(1.0);
    List<String> names = new ArrayList<>();
    root.get("curves").fieldNames().forEachRemaining(names::add);
    assertFalse(names.isEmpty(), "lr_curves.json holds no curves");
    return names.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
      LrSchedule s = LrSchedule.named(name, warmup, total, cycles, power, baseLr);
      JsonNode want = root.get("curves").get(name);
      List<Executable> points = new ArrayList<>();
      for (int step = 0; step < want.size(); step++) {
        double w = want.get(step).asDouble();
        double got = s.lr(baseLr, step);
        int at = step;
        points.add(() -> assertTrue(Math.abs(got - w) <= RELATIVE * Math.abs(w) + Double.MIN_NORMAL,
            name + " step " + at + ": want " + w + ", got " + got));
      }
      assertAll(name, points.stream());
    }));
  }

  @Test
  void theGoldenCoversEveryScheduleWeOffer() throws IOException {
    List<String> names = new ArrayList<>();
    curves().get("curves").fieldNames().forEachRemaining(names::add);
    assertTrue(names.containsAll(LrSchedule.NAMES), "golden curves " + names + " vs offered " + LrSchedule.NAMES);
  }

  @Test
  void anUnknownNameListsTheAllowedOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LrSchedule.named("cosine_annealing", 10, 100, 1, 1.0, 1e-4));
    assertTrue(e.getMessage().contains("cosine_annealing") && e.getMessage().contains("cosine_with_restarts"),
        e.getMessage());
  }

  @Test
  void polynomialRefusesAnEndRateAboveTheBaseRate() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LrSchedule.named("polynomial", 10, 100, 1, 1.0, LrSchedule.DEFAULT_LR_END / 2));
    assertTrue(e.getMessage().contains("lr_end"), e.getMessage());
  }
}
