package org.cascadetuner.common.models.stagec;

import java.util.List;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Layer;
import org.cascadetuner.common.nn.Saved;
import org.cascadetuner.common.nn.Tape;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.layers.LayerNorm;

/**
 * The conditioning tokens every AttnBlock attends to (spec §1.3.4, {@code get_clip_embeddings}):
 * {@code clip_norm(cat(clip_txt_mapper(text), view(clip_txt_pooled_mapper(pooled)), view(clip_img_mapper(img))))}
 * → [B, T + P·clip_seq + I·clip_seq, c_cond]; with no text or image input (or no such mappers), the pooled tokens
 * alone, as diffusers does.
 */
public final class ClipConditioning {
  private final Layer pooledMapper;
  private final Layer textMapper;
  private final Layer imageMapper;
  private final LayerNorm norm = LayerNorm.plain(StableCascadeUNetConfig.NORM_EPS);
  private final long cond;
  private final long clipSeq;

  public ClipConditioning(WeightLoader w, LinearBuilder linears, StableCascadeUNetConfig config) {
    cond = config.conditioningDim();
    clipSeq = config.clipSeq();
    pooledMapper = linears.linear(w, "clip_txt_pooled_mapper", config.clipTextPooledInChannels(), cond * clipSeq,
        true);
    if (config.hasTextAndImageConditioning()) {
      textMapper = linears.linear(w, "clip_txt_mapper", config.clipTextInChannels(), cond, true);
      imageMapper = linears.linear(w, "clip_img_mapper", config.clipImageInChannels(), cond * clipSeq, true);
    } else {
      textMapper = null;
      imageMapper = null;
    }
  }

  /** Token counts of the three parts (0 for text and image when only the pooled tokens are used). */
  record Parts(long text, long pooled, long image) implements Saved {
    @Override
    public long bytes() {
      return 0;
    }

    @Override
    public void close() {}
  }

  /** pooled [B, P, D_pooled], text [B, T, D_text] or null, image [B, I, D_img] or null → [B, S, c_cond]. */
  public Tensor forward(Tensor pooled, Tensor text, Tensor image, Tape tape) {
    Backend be = pooled.backend();
    long b = pooled.size(0);
    Tensor cat;
    Parts parts;
    try (Tensor p = pooledMapper.forward(pooled, tape); Tensor p3 = be.reshape(p, b, pooled.size(1) * clipSeq, cond)) {
      if (textMapper != null && text != null && image != null) {
        try (Tensor t = textMapper.forward(text, tape); Tensor i = imageMapper.forward(image, tape);
            Tensor i3 = be.reshape(i, b, image.size(1) * clipSeq, cond)) {
          cat = be.concat(1, t, p3, i3);
          parts = new Parts(t.size(1), p3.size(1), i3.size(1));
        }
      } else {
        cat = p3.retain();
        parts = new Parts(0, p3.size(1), 0);
      }
    }
    try (cat) {
      Tensor clip = norm.forward(cat, tape);
      tape.push(parts);
      return clip;
    }
  }

  /** Adds the mappers' gradients for dL/d(clip) (summed over every AttnBlock). */
  public void backward(Tensor dClip, Tape tape) {
    Backend be = dClip.backend();
    Parts parts = tape.pop(Parts.class);
    try (Tensor dCat = norm.backward(dClip, tape)) {
      long b = dCat.size(0);
      if (parts.text() == 0) {
        try (Tensor dp = be.reshape(dCat, b, parts.pooled() / clipSeq, cond * clipSeq)) {
          pooledMapper.backward(dp, tape).close();
        }
        return;
      }
      List<Tensor> split = be.split(dCat, 1, parts.text(), parts.pooled(), parts.image());
      try (Tensor dt = split.get(0); Tensor dp = split.get(1); Tensor di = split.get(2);
          Tensor di3 = be.reshape(di, b, parts.image() / clipSeq, cond * clipSeq);
          Tensor dp3 = be.reshape(dp, b, parts.pooled() / clipSeq, cond * clipSeq)) {
        imageMapper.backward(di3, tape).close();
        textMapper.backward(dt, tape).close();
        pooledMapper.backward(dp3, tape).close();
      }
    }
  }
}
