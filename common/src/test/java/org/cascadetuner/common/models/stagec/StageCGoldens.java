package org.cascadetuner.common.models.stagec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.io.TensorSource;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.nn.Tensor;
import org.cascadetuner.common.nn.testing.Compare;
import org.cascadetuner.common.testing.SharedFiles;

/** Shared helpers of the Stage C golden tests: loading, inputs, layout, and comparisons that list every failure. */
final class StageCGoldens {
  private StageCGoldens() {}

  static final double FORWARD_TOL = 1e-4;
  static final double GRAD_TOL = 1e-3;
  /**
   * Gradients are compared relative to their own scale, but never to a scale below this fraction of the largest
   * gradient of the model: a gradient that is zero in exact arithmetic has a reference made of round-off.
   */
  static final double ZERO_GRADIENT_FLOOR = 1e-4;

  static Path dir(String golden) {
    return SharedFiles.goldens(golden);
  }

  /** A model from a golden folder's config.json and the named weights file (any naming), every name trainable or not. */
  static StableCascadeUNet load(Backend be, Path dir, String weightsFile, Predicate<String> trainable,
      LinearBuilder linears) {
    StableCascadeUNetConfig config = StableCascadeUNetConfig.read(dir.toString(), new Configuration());
    try (TensorSource weights = StageCWeightNames.asDiffusers(SafeTensors.open(dir.resolve(weightsFile)))) {
      return new StableCascadeUNet(config, new ParameterStore(be, weights, trainable, weightsFile), linears);
    }
  }

  static Tensor tensor(Backend be, TensorSource io, String name) {
    return be.fromFloats(io.floats(name), io.info(name).shape());
  }

  /** The inputs of an io.safetensors (with its sca/crp when asked). */
  static StableCascadeUNet.Inputs inputs(Backend be, TensorSource io, boolean scaCrp) {
    return new StableCascadeUNet.Inputs(tensor(be, io, "sample"), tensor(be, io, "timestep_ratio"),
        tensor(be, io, "clip_text_pooled"), tensor(be, io, "clip_text"), tensor(be, io, "clip_img"),
        scaCrp ? tensor(be, io, "sca") : null, scaCrp ? tensor(be, io, "crp") : null);
  }

  static void close(StableCascadeUNet.Inputs in) {
    for (Tensor t : new Tensor[] {in.sample(), in.timestepRatio(), in.clipTextPooled(), in.clipText(), in.clipImg(),
        in.sca(), in.crp()})
      if (t != null) t.close();
  }

  /** Host copy in PyTorch's layout: channels-last block activations back to NCHW. */
  static float[] asTorch(Tensor t) {
    if (t.rank() != 4) return t.toFloats();
    Backend be = t.backend();
    try (Tensor p = be.permute(t, 0, 3, 1, 2)) {
      return p.toFloats();
    }
  }

  /** Collects comparisons and fails once, naming every tensor out of tolerance. */
  static final class Report {
    final List<String> failures = new ArrayList<>();
    int compared;

    void check(String name, float[] ref, float[] actual, double tol) {
      compared++;
      if (ref.length != actual.length) {
        failures.add(name + ": " + actual.length + " values, reference has " + ref.length);
        return;
      }
      double e = Compare.relativeError(ref, actual);
      if (!(e <= tol)) failures.add(name + ": relative error " + e + " > " + tol);
    }

    /**
     * Like {@link #check}, but relative to at least {@code floor}: for gradients that are zero in exact arithmetic
     * (an attention key bias: softmax ignores a shift shared by every key), whose reference is float round-off.
     */
    void checkWithFloor(String name, float[] ref, float[] actual, double tol, double floor) {
      compared++;
      if (ref.length != actual.length) {
        failures.add(name + ": " + actual.length + " values, reference has " + ref.length);
        return;
      }
      double maxDiff = 0, maxRef = 0;
      for (int i = 0; i < ref.length; i++) {
        maxDiff = Math.max(maxDiff, Double.isNaN(actual[i]) ? Double.POSITIVE_INFINITY : Math.abs(ref[i] - actual[i]));
        maxRef = Math.max(maxRef, Math.abs(ref[i]));
      }
      double e = maxDiff / Math.max(maxRef, floor);
      if (!(e <= tol)) failures.add(name + ": error " + e + " > " + tol + " (max|ref| " + maxRef + ", floor " + floor + ")");
    }

    void fail(String message) {
      failures.add(message);
    }

    void assertOk(String what) {
      if (!failures.isEmpty())
        throw new AssertionError(what + ": " + failures.size() + " of " + compared + " tensors differ:\n  "
            + String.join("\n  ", failures));
    }
  }
}
