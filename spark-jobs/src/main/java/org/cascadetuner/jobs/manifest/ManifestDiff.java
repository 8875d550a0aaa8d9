package org.cascadetuner.jobs.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a refresh must do to a dataset's manifest, from the listing and the rows already there. A file whose size
 * and modification time (and its caption file's) are unchanged is not read again; one whose row was made under a
 * different configuration fingerprint is recomputed from the stored header facts. SimpleTuner decides by file
 * existence only (spec data-pipeline §0.7); this is the part that does better.
 *
 * @param fresh files never seen before
 * @param changed files whose bytes or caption may have changed (recomputed in full, hash included)
 * @param reconfigured unchanged files whose row was made under another configuration
 * @param unchanged files whose row stands
 * @param deleted ids in the manifest that are gone from the listing
 */
public record ManifestDiff(List<DiscoveredFile> fresh, List<DiscoveredFile> changed,
    List<DiscoveredFile> reconfigured, List<DiscoveredFile> unchanged, Set<String> deleted) {

  /** The facts of an existing manifest row the diff needs. */
  public record Known(long size, long mtime, long captionMtime, String fingerprint) {}

  public static ManifestDiff of(List<DiscoveredFile> listing, Map<String, Known> known, String fingerprint) {
    List<DiscoveredFile> fresh = new ArrayList<>();
    List<DiscoveredFile> changed = new ArrayList<>();
    List<DiscoveredFile> reconfigured = new ArrayList<>();
    List<DiscoveredFile> unchanged = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (DiscoveredFile f : listing) {
      seen.add(f.id());
      Known k = known.get(f.id());
      if (k == null) fresh.add(f);
      else if (k.size() != f.size() || k.mtime() != f.mtime() || k.captionMtime() != f.captionMtime()) changed.add(f);
      else if (!k.fingerprint().equals(fingerprint)) reconfigured.add(f);
      else unchanged.add(f);
    }
    Set<String> deleted = new TreeSet<>();
    for (String id : known.keySet()) if (!seen.contains(id)) deleted.add(id);
    return new ManifestDiff(List.copyOf(fresh), List.copyOf(changed), List.copyOf(reconfigured),
        List.copyOf(unchanged), deleted);
  }

  /** Files whose manifest row is (re)computed this run. */
  public List<DiscoveredFile> toCompute() {
    List<DiscoveredFile> out = new ArrayList<>(fresh.size() + changed.size() + reconfigured.size());
    out.addAll(fresh);
    out.addAll(changed);
    out.addAll(reconfigured);
    out.sort(java.util.Comparator.comparing(DiscoveredFile::id));
    return out;
  }

  /** Ids whose old row is tombstoned this run (replaced or gone). */
  public Set<String> replacedOrDeleted() {
    Set<String> out = new TreeSet<>(deleted);
    changed.forEach(f -> out.add(f.id()));
    reconfigured.forEach(f -> out.add(f.id()));
    return out;
  }
}
