package org.cascadetuner.common.models.clip;

import java.util.Arrays;

/**
 * One prompt as the CLIP text encoder takes it: {@code inputIds} = BOS, up to maxLength - 2 tokens, EOS, then pad
 * ids; {@code attentionMask} = 1 over BOS..EOS, 0 over the padding. Both arrays have the tokenizer's maxLength.
 */
public record TokenizedPrompt(int[] inputIds, int[] attentionMask) {
  public TokenizedPrompt {
    if (inputIds.length != attentionMask.length) {
      throw new IllegalArgumentException("input_ids has " + inputIds.length + " entries, attention_mask "
          + attentionMask.length);
    }
  }

  /** The number of real (unmasked) tokens, BOS and EOS included. */
  public int length() {
    int n = 0;
    for (int m : attentionMask) n += m;
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenizedPrompt p && Arrays.equals(inputIds, p.inputIds)
        && Arrays.equals(attentionMask, p.attentionMask);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(inputIds) + Arrays.hashCode(attentionMask);
  }

  @Override
  public String toString() {
    return "TokenizedPrompt[input_ids=" + Arrays.toString(inputIds) + ", attention_mask="
        + Arrays.toString(attentionMask) + "]";
  }
}
