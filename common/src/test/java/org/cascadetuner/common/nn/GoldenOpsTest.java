package org.cascadetuner.common.nn;

import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.nn.layers.RatioEmbedding;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;

/** Ops that have a golden of their own: AdamW steps (goldens/optim) and the r embedding (goldens/unet_tiny). */
class GoldenOpsTest {
  final Backend be = Backends.get("cpu");

  @Test
  void adamwMatchesTorchStepByStep() {
    try (SafeTensors io = SafeTensors.open(SharedFiles.goldens("optim/io.safetensors"))) {
      long[] shape = io.info("param_init").shape();
      for (String wd : new String[] {"0.0", "0.01"}) {
        String k = "adamw_wd" + wd + "/";
        // meta.json: lr 1e-2, betas (0.9, 0.999), eps 1e-8
        Backend.AdamW h = new Backend.AdamW(1e-2, 0.9, 0.999, 1e-8, Double.parseDouble(wd));
        try (Tensor p = be.fromFloats(io.floats("param_init"), shape); Tensor m = be.zeros(shape);
            Tensor v = be.zeros(shape)) {
          for (int step = 1; io.contains(k + "step" + step); step++) {
            try (Tensor g = be.fromFloats(io.floats("grad" + step), shape)) {
              be.adamwStep(p, g, m, v, h, step);
            }
            Compare.assertClose(k + "exp_avg" + step, io.floats(k + "exp_avg" + step), m, 1e-6);
            Compare.assertClose(k + "exp_avg_sq" + step, io.floats(k + "exp_avg_sq" + step), v, 1e-6);
            Compare.assertClose(k + "step" + step, io.floats(k + "step" + step), p, 1e-6);
          }
        }
      }
    }
  }

  @Test
  void ratioEmbeddingMatchesDiffusers() {
    try (SafeTensors io = SafeTensors.open(SharedFiles.goldens("unet_tiny/r_embedding.safetensors"))) {
      long[] es = io.info("emb").shape();
      RatioEmbedding e = new RatioEmbedding((int) es[1], 10000f);
      try (Tensor r = be.fromFloats(io.floats("r"), io.info("r").shape()); Tensor out = e.forward(r)) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(es, out.shape());
        Compare.assertClose("r embedding", io.floats("emb"), out, 1e-5);
      }
    }
  }
}
