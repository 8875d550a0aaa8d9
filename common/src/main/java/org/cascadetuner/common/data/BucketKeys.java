package org.cascadetuner.common.data;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bucket keys (Python float reprs such as {@code "0.78"}, {@code "1.0"}) and the bucket-level rules on them. Keys
 * are kept sorted — by numeric value, then as text for keys that are not numbers — so that round-robin order does
 * not depend on thread scheduling as SimpleTuner's insertion order does (spec §9.12).
 */
public final class BucketKeys {
  private BucketKeys() {}

  /** Numeric keys by value (ties by text); non-numeric keys after them, as text. Serializable, for Spark. */
  public static final Comparator<String> ORDER = new KeyOrder();

  private static final class KeyOrder implements Comparator<String>, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(String a, String b) {
      Double x = number(a);
      Double y = number(b);
      if (x != null && y != null) {
        int c = Double.compare(x, y);
        return c != 0 ? c : a.compareTo(b);
      }
      if (x != null) return -1;
      if (y != null) return 1;
      return a.compareTo(b);
    }

    private Object readResolve() {
      return ORDER;
    }
  }

  private static Double number(String s) {
    try {
      return Double.valueOf(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A sorted copy of a bucket map. */
  public static <V> TreeMap<String, V> sorted(Map<String, V> buckets) {
    TreeMap<String, V> t = new TreeMap<>(ORDER);
    t.putAll(buckets);
    return t;
  }

  /**
   * §3.8: drops whole buckets whose key is below {@code minimumAspectRatio} or above {@code maximumAspectRatio}
   * (null or 0 = no bound, as SimpleTuner). Returns a new sorted map; the input is not changed.
   */
  public static <T> TreeMap<String, List<T>> filterByAspect(Map<String, List<T>> buckets, Double minimumAspectRatio,
      Double maximumAspectRatio) {
    TreeMap<String, List<T>> out = new TreeMap<>(ORDER);
    for (Map.Entry<String, List<T>> e : buckets.entrySet()) {
      double key = Double.parseDouble(e.getKey());
      if (minimumAspectRatio != null && minimumAspectRatio != 0 && key < minimumAspectRatio) continue;
      if (maximumAspectRatio != null && maximumAspectRatio != 0 && key > maximumAspectRatio) continue;
      out.put(e.getKey(), List.copyOf(e.getValue()));
    }
    return out;
  }

  /** Groups kept images by bucket key, sorted, each bucket's ids in the given order. */
  public static TreeMap<String, List<String>> group(Map<String, GeometryResult> geometryById) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (Map.Entry<String, GeometryResult> e : geometryById.entrySet()) {
      if (e.getValue() instanceof GeometryResult.Kept k) {
        m.computeIfAbsent(k.bucket(), x -> new java.util.ArrayList<>()).add(e.getKey());
      }
    }
    return sorted(m);
  }
}
