package org.cascadetuner.common.data;

import java.util.List;

/** An image size in pixels, width first as everywhere in the spec ({@code [w, h]}). */
public record Size(long width, long height) implements java.io.Serializable {
  public static Size of(long width, long height) {
    return new Size(width, height);
  }

  public List<Long> toList() {
    return List.of(width, height);
  }

  @Override
  public String toString() {
    return width + "x" + height;
  }
}
