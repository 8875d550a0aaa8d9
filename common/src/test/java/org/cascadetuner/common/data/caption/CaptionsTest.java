package org.cascadetuner.common.data.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionsTest {
  @TempDir Path tmp;
  private final Configuration conf = new Configuration();

  private Captions textfile(boolean disableSplit) {
    return new Captions(new CaptionConfig(CaptionStrategy.TEXTFILE, List.of(), false, false, disableSplit, null, null,
        null), null, conf);
  }

  @Test
  void missingTextFileNamesTheFile() {
    String img = tmp.resolve("cats/a.png").toString();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> textfile(false).forImage(img));
    assertTrue(e.getMessage().contains(tmp.resolve("cats/a.txt").toString()), e.getMessage());
  }

  @Test
  void textFileLinesAndTheDisableSwitchAndInvalidUtf8() throws Exception {
    Files.writeString(tmp.resolve("a.txt"), "one\n\n two \n", StandardCharsets.UTF_8);
    String img = tmp.resolve("a.jpeg").toString();
    assertEquals(List.of("one", "two"), textfile(false).forImage(img));
    assertEquals(List.of("one\n\n two"), textfile(true).forImage(img), "one caption, stripped once");
    Files.write(tmp.resolve("b.txt"), new byte[] {(byte) 0xff, 'x'});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> textfile(false).forImage(tmp.resolve("b.png").toString()));
    assertTrue(e.getMessage().contains("b.txt") && e.getMessage().contains("UTF-8"), e.getMessage());
  }

  @Test
  void pythonWhitespaceIsStrippedIncludingNoBreakSpace() {
    assertEquals("a b", PyText.strip("\u00a0\u3000\t a b\r\n\u2029"));
    assertEquals("\u200ba", PyText.strip("\u200ba "), "zero-width space is not whitespace in Python");
    assertEquals(".bashrc", PyText.stem("/x/.bashrc"));
    assertEquals("name.", PyText.stem("/x/name."));
    assertEquals("/x/.hidden", PyText.splitextRoot("/x/.hidden"));
    assertEquals("/x.y/name", PyText.splitextRoot("/x.y/name"));
    assertEquals("/x/a.b", PyText.splitextRoot("/x/a.b.c"));
  }

  @Test
  void shuffleExpandsBeforeThePrefixAndOnlyInstancePromptWins() {
    CaptionShuffle shuffle = new CaptionShuffle(2, 42, CaptionShuffle.SplitOn.COMMA, 1, true);
    Captions c = new Captions(new CaptionConfig(CaptionStrategy.FILENAME, List.of("ohwx"), true, false, false, shuffle,
        null, null), null, conf);
    List<String> got = c.forImage("/d/dog,_running,_park,_sunny_day.png");
    List<String> variants = shuffle.expand("dog, running, park, sunny day");
    assertEquals(variants.stream().map(v -> "ohwx " + v).toList(), got);
    assertTrue(got.size() > 1);
    Captions only = new Captions(new CaptionConfig(CaptionStrategy.FILENAME, List.of(" style ", "other"), false, true,
        false, null, null, null), null, conf);
    assertEquals(List.of("style", "other"), only.forImage("/d/whatever.png"));
  }

  @Test
  void configurationErrorsNameTheKeys() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Captions(new CaptionConfig(
        CaptionStrategy.FILENAME, List.of(), true, false, false, null, null, null), null, conf));
    assertTrue(e.getMessage().contains("prepend_instance_prompt") && e.getMessage().contains("instance_prompt"));
    e = assertThrows(IllegalArgumentException.class, () -> new Captions(new CaptionConfig(
        CaptionStrategy.INSTANCEPROMPT, List.of("  ", ""), false, false, false, null, null, null), null, conf));
    assertTrue(e.getMessage().contains("instanceprompt"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CaptionShuffle(0, 1, CaptionShuffle.SplitOn.SPACE, 0, true));
  }

  @Test
  void filterSemantics() throws Exception {
    // s/find/repl replaces every match with Python template syntax; a trailing-slash form is a literal entry.
    assertEquals("a dog and a dog", new CaptionFilter(List.of("s/cat/dog")).apply("a cat and a cat"));
    assertEquals("dog-cat", new CaptionFilter(List.of("s/(\\w+)-(\\w+)/\\2-\\g<1>")).apply("cat-dog"));
    assertEquals("named", new CaptionFilter(List.of("s/(?P<w>n\\w+)d/\\g<w>d")).apply("named"));
    assertEquals("x", new CaptionFilter(List.of("s/this/that/")).apply("x"), "three slashes: not a replacement");
    // An entry that is not a valid regex still removes its literal text.
    assertEquals("a b", new CaptionFilter(List.of("(")).apply("a (b"));
    // SimpleTuner's regex module, like Java, reads C++ as a possessive quantifier: both steps apply.
    assertEquals("ats ", new CaptionFilter(List.of("C++")).apply("Cats C++"));
    // Regex removal happens after the literal step, for every entry.
    assertEquals("photo", new CaptionFilter(List.of("\\d+")).apply("photo123"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new CaptionFilter(List.of("s/(a)/\\2")));
    assertTrue(e.getMessage().contains("group 2"), e.getMessage());

    Path txt = tmp.resolve("filter.txt");
    Files.writeString(txt, "photo of\r\ns/cat/dog\n");
    assertEquals(" a dog", CaptionFilter.fromSetting(new ObjectMapper().valueToTree(txt.toString()), conf)
        .apply("photo of a cat"));
    Path json = tmp.resolve("filter.json");
    Files.writeString(json, "[\"photo of\", \"s/cat/dog\"]");
    assertEquals(" a dog", CaptionFilter.fromSetting(new ObjectMapper().valueToTree(json.toString()), conf)
        .apply("photo of a cat"));
    assertThrows(IllegalArgumentException.class,
        () -> CaptionFilter.fromSetting(new ObjectMapper().valueToTree("filter.yaml"), conf));
  }

  @Test
  void choiceIsSeededByPositionAndDropoutRateHolds() {
    List<String> caps = List.of("a", "b", "c");
    assertEquals(CaptionChoice.choose(caps, 0.1, 5, "ds", 1, 17, 2), CaptionChoice.choose(caps, 0.1, 5, "ds", 1, 17, 2));
    int dropped = 0;
    int[] counts = new int[3];
    for (int step = 0; step < 6000; step++) {
      String c = CaptionChoice.choose(caps, 0.1, 5, "ds", 0, step, 0);
      if (c.isEmpty()) dropped++;
      else counts[c.charAt(0) - 'a']++;
    }
    assertTrue(dropped > 480 && dropped < 720, "about 10% dropped: " + dropped);
    for (int n : counts) assertTrue(n > 1500 && n < 2100, "uniform choice: " + java.util.Arrays.toString(counts));
    assertEquals("a", CaptionChoice.choose(List.of("a"), 0, 5, "x"));
    assertNotEquals(CaptionChoice.choose(caps, 0.5, 5, "ds", 0, 1, 0) + CaptionChoice.choose(caps, 0.5, 5, "ds", 0, 2, 0)
        + CaptionChoice.choose(caps, 0.5, 5, "ds", 0, 3, 0) + CaptionChoice.choose(caps, 0.5, 5, "ds", 0, 4, 0), "");
  }
}
