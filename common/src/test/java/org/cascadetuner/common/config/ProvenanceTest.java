package org.cascadetuner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provenance hash names the resolved configuration: not how it was written, only what it is. */
class ProvenanceTest {

  @TempDir Path dir;

  private ConfigProvenance provenance(JsonNode config, JsonNode backend, String... overrides) throws IOException {
    Path c = dir.resolve("config-" + System.nanoTime() + ".json");
    Path b = dir.resolve("backend-" + System.nanoTime() + ".json");
    Files.writeString(c, config.toPrettyString());
    Files.writeString(b, backend.toString());
    ResolvedConfiguration r = ConfigLoader.load(c.toString(), b.toString(), List.of(overrides), false);
    assertTrue(r.valid(), r.errors().toString());
    return r.provenance();
  }

  private static ObjectNode reversed(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    Collections.reverse(names);
    ObjectNode out = Vectors.JSON.createObjectNode();
    for (String n : names) out.set(n, object.get(n));
    return out;
  }

  @Test
  void theHashDoesNotDependOnKeyOrderOrSpelling() throws IOException {
    JsonNode config = Vectors.spec("quickstart/config.json");
    JsonNode backend = Vectors.spec("quickstart/multidatabackend.json");
    ArrayNode backendReversed = Vectors.JSON.createArrayNode();
    for (JsonNode e : backend) backendReversed.add(reversed(e));
    ConfigProvenance a = provenance(config, backend);
    ConfigProvenance b = provenance(reversed(config), backendReversed);
    assertEquals(a.json(), b.json());
    assertEquals(a.sha256(), b.sha256());
    ObjectNode spelledDifferently = ((ObjectNode) config).deepCopy();
    spelledDifferently.put("learning_rate", "1e-4");
    spelledDifferently.put("use_ema", "yes");
    assertEquals(a.sha256(), provenance(spelledDifferently, backend).sha256());
    assertEquals(a.sha256(), provenance(config, backend, "learning_rate=0.0001").sha256());
    assertEquals(64, a.sha256().length());
    assertEquals(ConfigProvenance.sha256(a.json()), a.sha256());
  }

  @Test
  void anyValueChangeChangesTheHash() throws IOException {
    JsonNode config = Vectors.spec("quickstart/config.json");
    JsonNode backend = Vectors.spec("quickstart/multidatabackend.json");
    String base = provenance(config, backend).sha256();
    assertNotEquals(base, provenance(config, backend, "learning_rate=0.0002").sha256());
    ArrayNode changed = backend.deepCopy();
    ((ObjectNode) changed.get(0)).put("repeats", 2);
    assertNotEquals(base, provenance(config, changed).sha256());
    ObjectNode defaultMadeExplicit = ((ObjectNode) config).deepCopy();
    defaultMadeExplicit.put("lr_warmup_steps", TrainingConfig.defaults().schedule().warmupSteps());
    assertEquals(base, provenance(defaultMadeExplicit, backend).sha256(), "an explicit default is the default");
  }

  @Test
  void provenanceCarriesTheCodeVersionAndNoCredentials() throws IOException {
    JsonNode backend = Vectors.parse("[{\"id\": \"s3\", \"type\": \"aws\", \"aws_bucket_name\": \"b\","
        + " \"aws_secret_access_key\": \"hunter2\"}]");
    ConfigProvenance p = provenance(Vectors.parse("{}"), backend);
    assertFalse(p.json().contains("hunter2"));
    assertTrue(p.codeVersion().matches("\\d+\\.\\d+\\.\\d+.*"), p.codeVersion());
  }

  @Test
  void canonicalNumbersAreTheShortestDecimalThatReadsBack() {
    Random r = new Random(42);
    for (int i = 0; i < 4000; i++) {
      double x = i % 2 == 0 ? r.nextDouble() * Math.pow(10, r.nextInt(30) - 15) : Double.longBitsToDouble(r.nextLong());
      if (!Double.isFinite(x)) continue;
      String s = CanonicalJson.shortest(x);
      assertEquals(x, Double.parseDouble(s), 0.0, s);
      assertTrue(digits(s) <= digits(Double.toString(x)), s + " is longer than " + x);
    }
    assertEquals("0.1", CanonicalJson.shortest(0.1));
    assertEquals("0.75", CanonicalJson.shortest(0.75));
    assertEquals("2.359296", CanonicalJson.shortest(2.359296));
    assertEquals("1.0", CanonicalJson.shortest(1.0));
  }

  private static int digits(String number) {
    return new BigDecimal(number).stripTrailingZeros().precision();
  }

  @Test
  void canonicalJsonSortsKeysAtEveryDepth() {
    assertEquals("{\"a\":[{\"x\":1,\"y\":true}],\"b\":null}",
        CanonicalJson.write(Vectors.parse("{\"b\": null, \"a\": [{\"y\": true, \"x\": 1}]}")));
  }
}
