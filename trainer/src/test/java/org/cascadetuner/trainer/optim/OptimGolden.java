package org.cascadetuner.trainer.optim;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Parameter;
import org.cascadetuner.common.nn.ParameterStore;
import org.cascadetuner.common.testing.SharedFiles;

/**
 * {@code goldens/optim}: torch.optim.AdamW runs (hyper-parameters from meta.json, weight decay from the
 * {@code adamw_wd<wd>/} key prefixes) over the gradients {@code grad1..gradK} from {@code param_init}, with the
 * weights and both moments after every step.
 */
record OptimGolden(double lr, double beta1, double beta2, double eps, List<Double> weightDecays, float[] init,
    long[] shape, List<float[]> grads) {

  static OptimGolden load() {
    String meta;
    try {
      meta = new ObjectMapper().readTree(SharedFiles.goldens("optim/meta.json").toFile()).get("adamw").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher lr = Pattern.compile("lr=([0-9.eE+-]+)").matcher(meta);
    Matcher betas = Pattern.compile("betas=\\(([0-9.eE+-]+),\\s*([0-9.eE+-]+)\\)").matcher(meta);
    Matcher eps = Pattern.compile("eps=([0-9.eE+-]+?)[,\\s]").matcher(meta + " ");
    if (!lr.find() || !betas.find() || !eps.find()) throw new AssertionError("cannot read lr/betas/eps from: " + meta);
    try (SafeTensors st = io()) {
      TreeSet<Double> wds = new TreeSet<>();
      Pattern run = Pattern.compile("adamw_wd([0-9.eE+-]+)/.*");
      for (String n : st.names()) {
        Matcher m = run.matcher(n);
        if (m.matches()) wds.add(Double.parseDouble(m.group(1)));
      }
      List<float[]> grads = new ArrayList<>();
      for (int k = 1; st.contains("grad" + k); k++) grads.add(st.floats("grad" + k));
      return new OptimGolden(Double.parseDouble(lr.group(1)), Double.parseDouble(betas.group(1)),
          Double.parseDouble(betas.group(2)), Double.parseDouble(eps.group(1)), List.copyOf(wds),
          st.floats("param_init"), st.info("param_init").shape(), grads);
    }
  }

  static SafeTensors io() {
    return SafeTensors.open(SharedFiles.goldens("optim/io.safetensors"));
  }

  /** The key prefix of the run with weight decay {@code wd} as the golden spells it. */
  static String run(SafeTensors st, double wd) {
    for (String n : st.names()) {
      Matcher m = Pattern.compile("(adamw_wd([0-9.eE+-]+))/.*").matcher(n);
      if (m.matches() && Double.parseDouble(m.group(2)) == wd) return m.group(1) + "/";
    }
    throw new AssertionError("no run with weight decay " + wd);
  }

  AdamW.Settings settings(double wd) {
    return new AdamW.Settings(beta1, beta2, eps, wd);
  }

  /** A one-parameter store holding param_init, trainable. */
  ParameterStore store(Backend be) {
    ParameterStore s = new ParameterStore(be, null, n -> true, "optim golden");
    s.add("w", be.fromFloats(init.clone(), shape));
    return s;
  }

  static void setGrad(Parameter p, float[] g) {
    p.grad().backend().write(p.grad(), g);
  }
}
