package org.cascadetuner.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;

/** {@code cascade-tuner tokenize} on the golden prompts, through picocli with redirected streams. */
class TokenizeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Run(int exit, String out, String err) {}

  private static Run run(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = CascadeTuner.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      int exit = cl.execute(args);
      return new Run(exit, out.toString(), err.toString());
    } finally {
      System.setIn(saved);
    }
  }

  private static List<JsonNode> cases() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(SharedFiles.goldens("tokenizer/cases.json").toFile()).get("cases").forEach(out::add);
    return out;
  }

  private static int[] ints(JsonNode array) {
    return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
  }

  private static void matchesGoldens(String... args) throws Exception {
    List<JsonNode> cases = cases();
    StringBuilder stdin = new StringBuilder();
    for (JsonNode c : cases) stdin.append(JSON.writeValueAsString(c.get("text").asText())).append('\n');
    Run r = run(stdin.toString(), args);
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals(cases.size(), lines.length, "one output line per prompt");
    List<Executable> checks = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      JsonNode fast = cases.get(i).get("fast");
      JsonNode got = JSON.readTree(lines[i]);
      String name = "prompt " + i + " " + cases.get(i).get("text").asText();
      checks.add(() -> assertArrayEquals(ints(fast.get("input_ids")), ints(got.get("input_ids")), name));
      checks.add(() -> assertArrayEquals(ints(fast.get("attention_mask")), ints(got.get("attention_mask")), name));
    }
    assertAll(checks.stream());
  }

  @Test
  void tokenizesTheGoldenPromptsWithTheBuiltInVocabulary() throws Exception {
    matchesGoldens("tokenize");
  }

  @Test
  void tokenizesTheGoldenPromptsWithATokenizerFolder() throws Exception {
    matchesGoldens("tokenize", "--tokenizer", SharedFiles.goldens("tokenizer").toString());
  }

  @Test
  void aLineThatIsNotAJsonStringIsNamedAndExitsTwo() {
    Run r = run("\"a cat\"\n{\"text\": \"a dog\"}\n", "tokenize");
    assertEquals(2, r.exit());
    assertEquals(1, r.out().split("\n").length, "the line before the bad one is written");
    assertTrue(r.err().contains("line 2") && r.err().contains("JSON string"), r.err());
  }

  @Test
  void aMissingTokenizerFolderIsNamed() {
    Run r = run("\"a cat\"\n", "tokenize", "--tokenizer", "/nonexistent/tokenizer");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("/nonexistent/tokenizer") && r.err().contains("vocab.json"), r.err());
  }
}
