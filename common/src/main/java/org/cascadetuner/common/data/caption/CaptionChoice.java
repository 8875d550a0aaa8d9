package org.cascadetuner.common.data.caption;

import java.util.List;
import org.cascadetuner.common.data.PyRandom;
import org.cascadetuner.common.data.SeededDraws;

/**
 * The caption one training sample uses: with probability {@code caption_dropout_probability} the empty caption
 * (the null embedding, DESIGN decision 7), otherwise one of the image's captions chosen uniformly. Both draws come
 * from one generator seeded by the run seed and the sample's place in the schedule ({@link SeededDraws}, purpose
 * {@code "caption"}: first {@code random() < p}, then {@code choice}), so a resumed run draws the same captions.
 */
public final class CaptionChoice {
  private CaptionChoice() {}

  /**
   * @param position where the sample sits, e.g. (dataset id, epoch, step, slot in batch); any values that are
   *     unique per sample and stable across a rerun
   */
  public static String choose(List<String> captions, double dropoutProbability, long seed, Object... position) {
    if (!(dropoutProbability >= 0 && dropoutProbability <= 1)) {
      throw new IllegalArgumentException("caption_dropout_probability must be in [0, 1], got " + dropoutProbability);
    }
    Object[] parts = new Object[position.length + 1];
    parts[0] = "caption";
    System.arraycopy(position, 0, parts, 1, position.length);
    PyRandom r = SeededDraws.random(seed, parts);
    if (dropoutProbability > 0 && r.random() < dropoutProbability) return "";
    if (captions.isEmpty()) throw new IllegalArgumentException("an image without captions reached training");
    return captions.size() == 1 ? captions.get(0) : r.choice(captions);
  }
}
