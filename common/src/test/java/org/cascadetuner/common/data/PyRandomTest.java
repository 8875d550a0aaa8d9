package org.cascadetuner.common.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link PyRandom} against CPython 3.11's random.Random (fixture made by make_cpython_random.py). */
class PyRandomTest {
  @Test
  void everyMethodMatchesCPythonForIntAndStrSeeds() {
    JsonNode f = CPythonFixtures.load("cpython_random.json");
    List<String> bad = new ArrayList<>();
    int cases = 0;
    for (JsonNode c : f.get("cases")) {
      cases++;
      String seed = c.get("seed").asText();
      PyRandom r = c.get("seed_is_str").asBoolean() ? new PyRandom(seed) : new PyRandom(new BigInteger(seed));
      String tag = "seed " + (c.get("seed_is_str").asBoolean() ? "'" + seed + "'" : seed) + ": ";
      for (JsonNode x : c.get("random")) check(bad, tag + "random", Double.parseDouble(x.asText()), r.random());
      for (JsonNode kv : c.get("getrandbits")) {
        check(bad, tag + "getrandbits(" + kv.get(0).asInt() + ")", Long.parseUnsignedLong(kv.get(1).asText()),
            r.getrandbits(kv.get(0).asInt()));
      }
      for (JsonNode kv : c.get("randbelow")) {
        check(bad, tag + "_randbelow(" + kv.get(0).asLong() + ")", kv.get(1).asLong(), r.randbelow(kv.get(0).asLong()));
      }
      List<Integer> ten = new ArrayList<>(IntStream.range(0, 10).boxed().toList());
      r.shuffle(ten);
      check(bad, tag + "shuffle", ints(c.get("shuffle10")), ten);
      check(bad, tag + "sample pool", ints(c.get("sample_pool")), r.sample(IntStream.range(0, 30).boxed().toList(), 7));
      check(bad, tag + "sample set", ints(c.get("sample_set")), r.sample(IntStream.range(0, 1000).boxed().toList(), 20));
      List<String> letters = List.of("a", "b", "c", "d", "e", "f", "g");
      for (JsonNode x : c.get("choice")) check(bad, tag + "choice", x.asText(), r.choice(letters));
      for (JsonNode x : c.get("randint")) check(bad, tag + "randint", x.asLong(), r.randint(0, 21));
      for (JsonNode x : c.get("choices")) {
        check(bad, tag + "choices", x.asDouble(), r.weightedChoice(List.of(0.5, 1.0, 1.5), new double[] {0.2, 0.3, 0.5}));
      }
    }
    assertEquals(11, cases);
    if (!bad.isEmpty()) fail(bad.size() + " mismatches:\n  " + String.join("\n  ", bad));
  }

  @Test
  void intArrayShuffleDrawsLikeTheListShuffle() {
    int[] a = IntStream.range(0, 50).toArray();
    List<Integer> l = new ArrayList<>(IntStream.range(0, 50).boxed().toList());
    new PyRandom(99).shuffle(a);
    new PyRandom(99).shuffle(l);
    assertEquals(l, IntStream.of(a).boxed().toList());
  }

  private static List<Integer> ints(JsonNode a) {
    List<Integer> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asInt()));
    return out;
  }

  private static void check(List<String> bad, String what, Object want, Object got) {
    if (!want.equals(got)) bad.add(what + " expected " + want + " got " + got);
  }
}
