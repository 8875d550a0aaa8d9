package org.cascadetuner.common.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFileTest {
  @TempDir Path tmp;

  @Test
  void readsBytesSizeAndSha256() throws Exception {
    Path f = tmp.resolve("a.png");
    Files.write(f, "abc".getBytes());
    ImageFile file = ImageFile.read(f.toUri().toString(), new Configuration());
    assertArrayEquals("abc".getBytes(), file.bytes());
    assertEquals(3, file.size());
    // FIPS 180-2 example: SHA-256("abc")
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", file.sha256());
  }

  @Test
  void aStorageFailureIsAnExceptionNotAReject() {
    String missing = tmp.resolve("gone.jpg").toString();
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ImageFile.read(missing, new Configuration()));
    assertTrue(e.getMessage().contains(missing), e.getMessage());
  }
}
