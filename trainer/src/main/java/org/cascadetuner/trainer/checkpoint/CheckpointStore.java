package org.cascadetuner.trainer.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.cascadetuner.common.io.SafeTensors;
import org.cascadetuner.common.io.SafeTensorsWriter;
import org.cascadetuner.common.io.Storage;

/**
 * Checkpoints under {@code output_dir} as {@code checkpoint-<step>/}: one safetensors file per tensor group plus
 * {@code state.json}, and last of all a {@code COMPLETE} marker. A folder without the marker is a checkpoint that
 * was being written when the job died: it is never loaded and is cleared on the next save. Files are written at
 * their final names (no rename), which is what makes this safe on S3; a checkpoint step is written once.
 */
public final class CheckpointStore {
  static final String PREFIX = "checkpoint-";
  static final String MARKER = "COMPLETE";
  static final String STATE = "state.json";

  private final String outputDir;
  private final Configuration conf;

  public CheckpointStore(String outputDir, Configuration conf) {
    this.outputDir = outputDir.endsWith("/") ? outputDir.substring(0, outputDir.length() - 1) : outputDir;
    this.conf = conf;
  }

  public String dir(long step) {
    return outputDir + "/" + PREFIX + step;
  }

  /** Writes a checkpoint, then drops complete ones beyond {@code totalLimit} (oldest first; ≤ 0 keeps all). */
  public void save(TrainingCheckpoint c, int totalLimit) {
    String dir = dir(c.step());
    try {
      FileSystem fs = new Path(dir).getFileSystem(conf);
      if (fs.exists(new Path(dir))) fs.delete(new Path(dir), true); // a partial one from a killed run
      for (Map.Entry<String, Map<String, float[]>> g : c.tensors().entrySet()) {
        SafeTensorsWriter w = new SafeTensorsWriter().metadata("step", String.valueOf(c.step()));
        for (Map.Entry<String, float[]> t : g.getValue().entrySet()) {
          long[] shape = c.shapes().get(t.getKey());
          if (shape == null) throw new IllegalArgumentException("no shape for checkpoint tensor " + t.getKey());
          w.add(t.getKey(), t.getValue(), shape);
        }
        w.write(dir + "/" + g.getKey() + ".safetensors", conf);
      }
      try (OutputStream out = Storage.create(dir + "/" + STATE, conf)) {
        out.write(c.state().getBytes(StandardCharsets.UTF_8));
      }
      try (OutputStream out = Storage.create(dir + "/" + MARKER, conf)) {
        out.write(String.join(",", c.tensors().keySet()).getBytes(StandardCharsets.UTF_8));
      }
      if (totalLimit > 0) {
        List<Long> done = completeSteps();
        for (int i = 0; i < done.size() - totalLimit; i++) fs.delete(new Path(dir(done.get(i))), true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Steps of complete checkpoints, ascending. */
  public List<Long> completeSteps() {
    List<Long> steps = new ArrayList<>();
    try {
      Path root = new Path(outputDir);
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) return steps;
      for (FileStatus s : fs.listStatus(root)) {
        String n = s.getPath().getName();
        if (!s.isDirectory() || !n.startsWith(PREFIX)) continue;
        try {
          long step = Long.parseLong(n.substring(PREFIX.length()));
          if (fs.exists(new Path(s.getPath(), MARKER))) steps.add(step);
        } catch (NumberFormatException ignored) {
          // not ours
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoints in " + outputDir + ": " + e.getMessage(), e);
    }
    steps.sort(null);
    return steps;
  }

  /**
   * Resolves {@code resume_from_checkpoint}: "latest" (the newest complete one, if any), a step number, or a
   * {@code checkpoint-N} folder name.
   */
  public Optional<TrainingCheckpoint> load(String which) {
    List<Long> done = completeSteps();
    long step;
    if (which == null || which.isBlank()) return Optional.empty();
    if (which.equals("latest")) {
      if (done.isEmpty()) return Optional.empty();
      step = done.get(done.size() - 1);
    } else {
      String s = which.startsWith(PREFIX) ? which.substring(PREFIX.length()) : which;
      try {
        step = Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("resume_from_checkpoint '" + which + "': expected 'latest', a step "
            + "number or a checkpoint-N folder name");
      }
      if (!done.contains(step)) {
        throw new IllegalArgumentException("resume_from_checkpoint '" + which + "': no complete checkpoint "
            + dir(step) + "; complete ones: " + done);
      }
    }
    return Optional.of(read(step));
  }

  private TrainingCheckpoint read(long step) {
    String dir = dir(step);
    String groups = new String(Storage.readAll(dir + "/" + MARKER, conf), StandardCharsets.UTF_8);
    Map<String, Map<String, float[]>> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (String g : groups.isEmpty() ? new String[0] : groups.split(",")) {
      Map<String, float[]> group = new LinkedHashMap<>();
      try (SafeTensors st = SafeTensors.open(dir + "/" + g + ".safetensors", conf)) {
        for (String name : st.names()) {
          group.put(name, st.floats(name));
          shapes.put(name, st.info(name).shape());
        }
      }
      tensors.put(g, group);
    }
    String state = new String(Storage.readAll(dir + "/" + STATE, conf), StandardCharsets.UTF_8);
    return new TrainingCheckpoint(step, tensors, shapes, state);
  }
}
