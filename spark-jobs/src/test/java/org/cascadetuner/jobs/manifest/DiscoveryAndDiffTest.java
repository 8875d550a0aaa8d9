package org.cascadetuner.jobs.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryAndDiffTest {
  @TempDir Path root;

  private void touch(String rel, String content, long mtime) throws Exception {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    Files.setLastModifiedTime(p, FileTime.fromMillis(mtime));
  }

  @Test
  void listsImagesRecursivelyWithTheirCaptionFilesAndSkipsTheRest() throws Exception {
    touch("a.png", "x", 1000);
    touch("a.jpg", "xy", 2000); // same stem, other extension: a different image (DESIGN decision 5)
    touch("a.txt", "a caption", 3000);
    touch("sub/deep/B.JPEG", "xyz", 4000);
    touch("sub/notes.md", "no", 5000);
    touch("clip.mp4", "video", 6000); // SimpleTuner would take it; we do not
    touch(".ipynb_checkpoints/c.png", "x", 7000);
    touch("sub/.hidden.png", "x", 8000);
    List<DiscoveredFile> files = ImageDiscovery.list(root.toString(), new Configuration());
    assertEquals(List.of("a.jpg", "a.png", "sub/deep/B.JPEG"), files.stream().map(DiscoveredFile::id).toList());
    assertEquals(3000, files.get(0).captionMtime(), "a.txt is the caption file of both a.jpg and a.png");
    assertEquals(-1, files.get(2).captionMtime());
    assertEquals(3, files.get(2).size());
    assertThrows(IllegalArgumentException.class, () -> ImageDiscovery.list(root.resolve("nope").toString(),
        new Configuration()));
  }

  @Test
  void classifiesEveryFileExactlyOnce() {
    List<DiscoveredFile> listing = List.of(
        new DiscoveredFile("new.png", "u", 1, 1, -1),
        new DiscoveredFile("bytes.png", "u", 2, 5, -1),
        new DiscoveredFile("caption.png", "u", 3, 3, 9),
        new DiscoveredFile("config.png", "u", 4, 4, -1),
        new DiscoveredFile("same.png", "u", 5, 5, -1));
    Map<String, ManifestDiff.Known> known = Map.of(
        "bytes.png", new ManifestDiff.Known(2, 4, -1, "fp"),
        "caption.png", new ManifestDiff.Known(3, 3, 8, "fp"),
        "config.png", new ManifestDiff.Known(4, 4, -1, "old"),
        "same.png", new ManifestDiff.Known(5, 5, -1, "fp"),
        "gone.png", new ManifestDiff.Known(6, 6, -1, "fp"));
    ManifestDiff d = ManifestDiff.of(listing, known, "fp");
    assertEquals(List.of("new.png"), d.fresh().stream().map(DiscoveredFile::id).toList());
    assertEquals(List.of("bytes.png", "caption.png"), d.changed().stream().map(DiscoveredFile::id).toList());
    assertEquals(List.of("config.png"), d.reconfigured().stream().map(DiscoveredFile::id).toList());
    assertEquals(List.of("same.png"), d.unchanged().stream().map(DiscoveredFile::id).toList());
    assertEquals(Set.of("gone.png"), d.deleted());
    assertEquals(List.of("bytes.png", "caption.png", "config.png", "new.png"),
        d.toCompute().stream().map(DiscoveredFile::id).toList());
    assertEquals(Set.of("bytes.png", "caption.png", "config.png", "gone.png"), d.replacedOrDeleted());
  }
}
