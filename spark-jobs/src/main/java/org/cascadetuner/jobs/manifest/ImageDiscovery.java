package org.cascadetuner.jobs.manifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Lists the images of a dataset root recursively through Hadoop (file://, s3a://, hdfs://). Unlike SimpleTuner,
 * which accepts every extension Pillow, video and audio know (spec data-pipeline §3.1), only image extensions are
 * taken. Folders SimpleTuner skips (OS metadata, notebook checkpoints) are skipped, and so are hidden files and our
 * own cache folders.
 */
public final class ImageDiscovery {
  private ImageDiscovery() {}

  public static final Set<String> IMAGE_EXTENSIONS =
      Set.of("jpg", "jpeg", "jpe", "jfif", "png", "webp", "bmp", "dib", "tif", "tiff", "gif");

  static final Set<String> SKIPPED_DIRS = Set.of(".Spotlight-V100", ".Trashes", ".fseventsd", ".TemporaryItems",
      ".zfs", ".ipynb_checkpoints", "_snapshots");

  public static boolean isImage(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** Every image under {@code root}, sorted by id (so partitioning and reruns are deterministic). */
  public static List<DiscoveredFile> list(String root, Configuration conf) {
    Path rootPath = new Path(root);
    try {
      FileSystem fs = rootPath.getFileSystem(conf);
      if (!fs.exists(rootPath)) {
        throw new IllegalArgumentException("instance_data_dir " + root + " does not exist");
      }
      String prefix = fs.makeQualified(rootPath).toUri().getPath();
      if (!prefix.endsWith("/")) prefix += "/";
      List<DiscoveredFile> images = new ArrayList<>();
      Map<String, Long> captions = new HashMap<>();
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(rootPath, true);
      while (it.hasNext()) {
        LocatedFileStatus s = it.next();
        String path = s.getPath().toUri().getPath();
        if (!path.startsWith(prefix)) continue;
        String id = path.substring(prefix.length());
        if (skipped(id)) continue;
        String name = s.getPath().getName();
        if (name.endsWith(".txt")) {
          captions.put(id.substring(0, id.length() - 4), s.getModificationTime());
        } else if (isImage(name)) {
          images.add(new DiscoveredFile(id, s.getPath().toString(), s.getLen(), s.getModificationTime(), -1));
        }
      }
      List<DiscoveredFile> out = new ArrayList<>(images.size());
      for (DiscoveredFile f : images) {
        int dot = f.id().lastIndexOf('.');
        Long cap = captions.get(f.id().substring(0, dot));
        out.add(cap == null ? f : new DiscoveredFile(f.id(), f.uri(), f.size(), f.mtime(), cap));
      }
      out.sort(java.util.Comparator.comparing(DiscoveredFile::id));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  private static boolean skipped(String id) {
    for (String part : id.split("/")) {
      if (part.startsWith(".") || SKIPPED_DIRS.contains(part)) return true;
    }
    return false;
  }
}
