package org.cascadetuner.common.config;

import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.Storage;

/**
 * SimpleTuner refuses to start when an enabled local dataset's instance_data_dir is missing (spec §1.1). A
 * configuration is often checked away from its data, so by default a missing location is a warning (not set) or a
 * note (set, but not there); with {@code strict} (the command line's {@code --check-paths}) both are errors, and
 * remote locations (s3a://, hdfs://) are checked through Hadoop too.
 */
final class PathChecks {
  private PathChecks() {}

  static void check(List<DatasetConfig> datasets, boolean strict, Diagnostics.Scope file) {
    for (DatasetConfig c : datasets) {
      if (!(c instanceof ImageDataset img) || img.storage() == null || !img.storage().supported()) continue;
      Diagnostics.Scope d = file.dataset(img.id());
      String key = img.storage() == DatasetKey.StorageType.AWS ? "aws_bucket_name" : "instance_data_dir";
      if (img.location() == null) {
        String message = d.prefix() + key + " is not set: the cache jobs have no images to read.";
        if (strict) d.error(key, null, message, "an existing folder");
        else d.warning(key, null, message);
        continue;
      }
      boolean local = Storage.isLocal(img.location());
      if (!local && !strict) continue;
      String problem = problem(img.location());
      if (problem == null) continue;
      String value = "\"" + img.location() + "\"";
      if (strict) {
        d.error(key, value, d.prefix() + img.location() + " " + problem + ".", "an existing folder");
      } else {
        d.note(key, value, d.prefix() + img.location() + " " + problem + " on this machine; the cache jobs need"
            + " it where they run (--check-paths makes this an error).");
      }
    }
  }

  private static String problem(String location) {
    try {
      if (Storage.isLocal(location)) {
        return Files.isDirectory(Storage.localPath(location)) ? null : "does not exist";
      }
      return Storage.exists(location, new Configuration()) ? null : "does not exist";
    } catch (RuntimeException e) {
      return "cannot be checked (" + e.getMessage() + ")";
    }
  }
}
