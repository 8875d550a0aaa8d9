package org.cascadetuner.common.models.stagec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.cascadetuner.common.io.TensorInfo;
import org.cascadetuner.common.io.TensorSource;

/**
 * The three namings of Stage C weights (spec §1.4) and the load-time view that presents the other two under
 * diffusers' names, which the model uses everywhere. Only the attention projections differ:
 * <ul>
 *   <li>original {@code StageC}: {@code <blk>.attention.attn.in_proj_weight} [3c, c] (q, k, v row blocks) and
 *       {@code in_proj_bias} [3c]; {@code <blk>.attention.attn.out_proj.*}</li>
 *   <li>ComfyUI: {@code <blk>.attention.attn.to_q/to_k/to_v.*}, {@code <blk>.attention.attn.out_proj.*}</li>
 *   <li>diffusers: {@code <blk>.attention.to_q/to_k/to_v.*}, {@code <blk>.attention.to_out.0.*}</li>
 * </ul>
 * Row blocks are byte ranges of the stored tensor, so the view copies nothing.
 */
public final class StageCWeightNames {
  private StageCWeightNames() {}

  public enum Naming { DIFFUSERS, ORIGINAL, COMFYUI }

  private static final String[] QKV = {"to_q", "to_k", "to_v"};

  /** Which naming {@code source} uses (diffusers when it has no attention at all). */
  public static Naming detect(TensorSource source) {
    boolean comfy = false;
    for (String n : source.names()) {
      if (n.endsWith(".attention.attn.in_proj_weight")) return Naming.ORIGINAL;
      if (n.contains(".attention.attn.to_q.")) comfy = true;
    }
    return comfy ? Naming.COMFYUI : Naming.DIFFUSERS;
  }

  /** {@code source} under diffusers' names (itself when it already uses them). Closing the view closes the source. */
  public static TensorSource asDiffusers(TensorSource source) {
    Naming naming = detect(source);
    return naming == Naming.DIFFUSERS ? source : new Renamed(source, naming);
  }

  /** The diffusers name of a module path in another naming ({@code …attention.attn.out_proj} → {@code …to_out.0}). */
  public static String diffusersModule(String module) {
    if (module.endsWith(".attention.attn.out_proj"))
      return module.substring(0, module.length() - "attn.out_proj".length()) + "to_out.0";
    for (String p : QKV)
      if (module.endsWith(".attention.attn." + p))
        return module.substring(0, module.length() - ("attn." + p).length()) + p;
    return module;
  }

  /** The original / ComfyUI module path of a diffusers module ({@code …attention.to_out.0} → {@code …attn.out_proj}). */
  public static String originalModule(String module) {
    if (module.endsWith(".attention.to_out.0"))
      return module.substring(0, module.length() - "to_out.0".length()) + "attn.out_proj";
    for (String p : QKV)
      if (module.endsWith(".attention." + p)) return module.substring(0, module.length() - p.length()) + "attn." + p;
    return module;
  }

  /**
   * The original {@code StageC} tensor a diffusers tensor comes from: q/k/v weights and biases are row blocks of
   * {@code attention.attn.in_proj_weight/bias}, {@code to_out.0} is {@code attn.out_proj}, the rest keep their names.
   */
  public static String originalTensor(String name) {
    for (String p : QKV) {
      String w = ".attention." + p + ".weight", b = ".attention." + p + ".bias";
      if (name.endsWith(w)) return name.substring(0, name.length() - w.length()) + ".attention.attn.in_proj_weight";
      if (name.endsWith(b)) return name.substring(0, name.length() - b.length()) + ".attention.attn.in_proj_bias";
    }
    int dot = name.lastIndexOf('.');
    return originalModule(name.substring(0, dot)) + name.substring(dot);
  }

  /** Where a diffusers-named tensor lives in the source: a tensor, or one row block of it. */
  private record Entry(String sourceName, TensorInfo info, long byteOffset) {}

  private static final class Renamed implements TensorSource {
    private final TensorSource source;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    Renamed(TensorSource source, Naming naming) {
      this.source = source;
      for (String n : source.names()) {
        TensorInfo t = source.info(n);
        if (naming == Naming.ORIGINAL && (n.endsWith(".attention.attn.in_proj_weight")
            || n.endsWith(".attention.attn.in_proj_bias"))) {
          boolean weight = n.endsWith("weight");
          String block = n.substring(0, n.length() - (weight ? "attn.in_proj_weight" : "attn.in_proj_bias").length());
          long[] s = t.shape();
          if (s[0] % 3 != 0)
            throw new IllegalArgumentException(n + " has shape " + java.util.Arrays.toString(s)
                + "; a fused q/k/v projection has 3·c rows");
          long[] part = s.clone();
          part[0] = s[0] / 3;
          long partBytes = t.byteLength() / 3;
          for (int i = 0; i < 3; i++) {
            String name = block + QKV[i] + (weight ? ".weight" : ".bias");
            entries.put(name, new Entry(n, new TensorInfo(name, t.dtype(), part, t.begin() + i * partBytes,
                t.begin() + (i + 1) * partBytes), i * partBytes));
          }
        } else {
          int dot = n.lastIndexOf('.');
          String name = dot < 0 ? n : diffusersModule(n.substring(0, dot)) + n.substring(dot);
          entries.put(name, new Entry(n, new TensorInfo(name, t.dtype(), t.shape(), t.begin(), t.end()), 0));
        }
      }
    }

    @Override
    public Set<String> names() {
      return Collections.unmodifiableSet(entries.keySet());
    }

    @Override
    public TensorInfo info(String name) {
      Entry e = entries.get(name);
      if (e == null) throw new IllegalArgumentException("no tensor named '" + name + "' (diffusers name)");
      return e.info();
    }

    @Override
    public ByteBuffer bytes(String name) {
      Entry e = entries.get(name);
      if (e == null) throw new IllegalArgumentException("no tensor named '" + name + "' (diffusers name)");
      ByteBuffer all = source.bytes(e.sourceName());
      ByteBuffer part = all.duplicate();
      part.position(Math.toIntExact(e.byteOffset()));
      part.limit(Math.toIntExact(e.byteOffset() + e.info().byteLength()));
      return part.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public Map<String, String> metadata() {
      return source.metadata();
    }

    @Override
    public void close() {
      source.close();
    }
  }
}
