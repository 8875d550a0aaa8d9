package org.cascadetuner.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;

/** README's "Configuration keys" section is the one generated from the key tables, so it cannot drift. */
class ReadmeKeysTest {

  @Test
  void readmeListsExactlyTheKeysTheCodeKnows() throws IOException {
    String readme = Files.readString(SharedFiles.repoRoot().resolve("README.md"));
    int begin = readme.indexOf(KeyDocs.BEGIN);
    int end = readme.indexOf(KeyDocs.END);
    assertTrue(begin >= 0 && end > begin, "README.md lacks the generated section markers");
    assertEquals(KeyDocs.markdown(), readme.substring(begin, end + KeyDocs.END.length() + 1),
        "README.md is out of date: replace its section with the output of `bin/cascade-tuner config keys`");
    for (TrainingKey k : TrainingKey.values()) assertTrue(readme.contains("| `" + k.key() + "`"), k.key());
    for (DatasetKey k : DatasetKey.values()) assertTrue(readme.contains("| `" + k.key() + "`"), k.key());
  }
}
