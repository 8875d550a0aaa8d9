package org.cascadetuner.common.models.stagec;

import java.util.Arrays;

/**
 * The block kinds a level of the UNet is made of: diffusers' class names in {@code block_types_per_layer}, the
 * original's letters in {@code level_config} (C = ResBlock, T = TimestepBlock, A = AttnBlock).
 */
public enum BlockType {
  RES("SDCascadeResBlock", 'C'),
  TIMESTEP("SDCascadeTimestepBlock", 'T'),
  ATTN("SDCascadeAttnBlock", 'A');

  private final String diffusersName;
  private final char letter;

  BlockType(String diffusersName, char letter) {
    this.diffusersName = diffusersName;
    this.letter = letter;
  }

  public String diffusersName() {
    return diffusersName;
  }

  public char letter() {
    return letter;
  }

  public static BlockType ofDiffusersName(String name, String source) {
    for (BlockType t : values()) if (t.diffusersName.equals(name)) return t;
    throw new IllegalArgumentException(source + ": block type '" + name + "' is not a Stage C block; allowed: "
        + Arrays.stream(values()).map(BlockType::diffusersName).toList());
  }

  public static BlockType ofLetter(char c, String source) {
    for (BlockType t : values()) if (t.letter == c) return t;
    throw new IllegalArgumentException(source + ": level_config letter '" + c + "' is not supported; allowed: C, T, A"
        + (c == 'F' ? " (the original's FeedForwardBlock has no diffusers counterpart)" : ""));
  }
}
