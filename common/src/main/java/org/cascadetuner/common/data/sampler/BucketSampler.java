package org.cascadetuner.common.data.sampler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.cascadetuner.common.data.PyRandom;
import org.cascadetuner.common.data.SeededDraws;

/**
 * Bucket-homogeneous batches over one or more datasets, epoch by epoch (spec data-pipeline §7), as a pure
 * function of (seed, datasets, epoch, step): so the whole sampler state is a {@link SamplerCursor} and a killed run
 * resumes exactly.
 *
 * <p>Per epoch each dataset contributes {@code repeats + 1} passes ({@link PassPlan}); at each step one dataset is
 * drawn among those not yet exhausted, with weight {@code probability} ({@link Weighting#UNIFORM}) or
 * {@code probability × len(sampler_d) / Σ len(sampler)} ({@link Weighting#AUTO_WEIGHTING}, SimpleTuner's default),
 * candidates sorted by id, from {@code SeededDraws.random(seed, "dataset", epoch, step)} ({@code choices}). A
 * dataset leaves the draw when its last pass is used up; the epoch ends when all have; datasets with probability 0
 * are never sampled. (SimpleTuner draws with {@code torch.multinomial} seeded by {@code seed + step}; we do not
 * reproduce torch's generator.)
 */
public final class BucketSampler {
  /** {@code data_backend_sampling}. */
  public enum Weighting { AUTO_WEIGHTING, UNIFORM }

  private final List<SamplerDataset> datasets;
  private final long seed;
  private final Weighting weighting;
  private final String layout;

  public BucketSampler(List<SamplerDataset> datasets, long seed, Weighting weighting) {
    List<SamplerDataset> active = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (SamplerDataset d : datasets) {
      if (!ids.add(d.id())) throw new IllegalArgumentException("dataset id '" + d.id() + "' appears twice");
      if (d.probability() > 0 && d.imageCount() > 0) active.add(d);
    }
    active.sort(Comparator.comparing(SamplerDataset::id));
    if (active.isEmpty()) {
      throw new IllegalArgumentException("no dataset can be sampled: every dataset is empty or has probability 0");
    }
    this.datasets = List.copyOf(active);
    this.seed = seed;
    this.weighting = weighting;
    this.layout = fingerprint();
  }

  public List<SamplerDataset> datasets() {
    return datasets;
  }

  /** Exact batches per epoch: {@code Σ_d (repeats_d + 1) · passLength_d}. */
  public long epochLength() {
    long n = 0;
    for (SamplerDataset d : datasets) n += d.epochLength();
    return n;
  }

  /** Fingerprint of the seed, weighting and every dataset's id, batch size, repeats, probability and buckets. */
  public String layout() {
    return layout;
  }

  /** All batches of an epoch, in order. */
  public List<Batch> epoch(int epoch) {
    List<Batch> out = new ArrayList<>();
    EpochWalk w = new EpochWalk(epoch);
    while (w.hasNext()) out.add(w.next());
    return out;
  }

  /**
   * An endless stream of batches from {@code cursor} on, crossing epochs. A cursor from a different layout is
   * refused mid-epoch; at an epoch boundary (step 0) it is accepted, so new data joins at the next epoch.
   */
  public Stream stream(SamplerCursor cursor) {
    if (!cursor.layout().equals(layout) && cursor.step() != 0) {
      throw new IllegalStateException("the sampler cursor (epoch " + cursor.epoch() + ", step " + cursor.step()
          + ") was saved for a different seed or dataset layout (batch sizes, repeats, probabilities or images "
          + "changed); resume at an epoch boundary or restore the original datasets");
    }
    return new Stream(cursor.epoch(), cursor.step());
  }

  /** A stream from the start of the given epoch. */
  public Stream stream(int epoch) {
    return new Stream(epoch, 0);
  }

  /** Batches in order across epochs; {@link #cursor()} names the next one. */
  public final class Stream implements Iterator<Batch> {
    private EpochWalk walk;

    private Stream(int epoch, long step) {
      walk = new EpochWalk(epoch);
      for (long s = 0; s < step; s++) {
        if (!walk.hasNext()) {
          throw new IllegalStateException("sampler cursor step " + step + " is beyond epoch " + epoch + "'s "
              + epochLength() + " batches");
        }
        walk.next();
      }
    }

    @Override
    public boolean hasNext() {
      return true;
    }

    @Override
    public Batch next() {
      if (!walk.hasNext()) walk = new EpochWalk(walk.epoch + 1);
      return walk.next();
    }

    /** True when the next batch starts a new epoch (or this epoch has been fully consumed). */
    public boolean atEpochEnd() {
      return !walk.hasNext();
    }

    public SamplerCursor cursor() {
      return walk.hasNext() ? new SamplerCursor(walk.epoch, walk.step, layout)
          : new SamplerCursor(walk.epoch + 1, 0, layout);
    }
  }

  /** One epoch, step by step. */
  private final class EpochWalk implements Iterator<Batch> {
    final int epoch;
    long step;
    private final List<DatasetState> active = new ArrayList<>();
    private final double total;

    EpochWalk(int epoch) {
      this.epoch = epoch;
      double t = 0;
      for (SamplerDataset d : datasets) {
        active.add(new DatasetState(d));
        t += d.samplerLength();
      }
      this.total = t;
    }

    @Override
    public boolean hasNext() {
      return !active.isEmpty();
    }

    @Override
    public Batch next() {
      if (active.isEmpty()) throw new NoSuchElementException("epoch " + epoch + " is over");
      DatasetState pick = active.size() == 1 ? active.get(0) : draw();
      Batch b = pick.take(epoch, step);
      step++;
      if (pick.exhausted()) active.remove(pick);
      return b;
    }

    private DatasetState draw() {
      double[] w = new double[active.size()];
      for (int i = 0; i < w.length; i++) {
        SamplerDataset d = active.get(i).dataset;
        w[i] = weighting == Weighting.UNIFORM ? d.probability() : d.probability() * d.samplerLength() / total;
      }
      PyRandom r = SeededDraws.random(seed, "dataset", epoch, step);
      return r.weightedChoice(active, w);
    }
  }

  /** A dataset's progress through its passes of one epoch. */
  private final class DatasetState {
    final SamplerDataset dataset;
    int pass = -1;
    List<PassPlan.Planned> plan = List.of();
    int next;

    DatasetState(SamplerDataset dataset) {
      this.dataset = dataset;
    }

    Batch take(int epoch, long step) {
      if (next >= plan.size()) {
        pass++;
        plan = PassPlan.of(dataset, seed, epoch, pass);
        next = 0;
      }
      PassPlan.Planned p = plan.get(next++);
      return new Batch(dataset.id(), p.bucket(), p.images(), epoch, pass, step);
    }

    boolean exhausted() {
      return pass == dataset.repeats() && next >= plan.size();
    }
  }

  private String fingerprint() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      StringBuilder s = new StringBuilder().append(seed).append('\0').append(weighting);
      for (SamplerDataset d : datasets) {
        s.append('\0').append(d.id()).append('\0').append(d.batchSize()).append('\0').append(d.repeats())
            .append('\0').append(d.probability());
        for (Map.Entry<String, List<String>> b : d.buckets().entrySet()) {
          s.append('\0').append(b.getKey());
          for (String img : b.getValue()) s.append('\u0001').append(img);
        }
        md.update(s.toString().getBytes(StandardCharsets.UTF_8));
        s.setLength(0);
      }
      md.update(s.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
