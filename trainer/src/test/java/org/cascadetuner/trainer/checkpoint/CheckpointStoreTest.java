package org.cascadetuner.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.cascadetuner.jobs.testing.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
  @TempDir Path tmp;

  static TrainingCheckpoint checkpoint(long step) {
    Map<String, Map<String, float[]>> t = new LinkedHashMap<>();
    t.put("trainable", Map.of("a.lora_A.weight", new float[] {step, 2, 3, 4}));
    t.put("optimizer", Map.of("a.lora_A.weight.exp_avg", new float[] {0.5f, 0, 0, 1}));
    Map<String, long[]> shapes = Map.of("a.lora_A.weight", new long[] {2, 2}, "a.lora_A.weight.exp_avg",
        new long[] {4});
    return new TrainingCheckpoint(step, t, shapes, "{\"step\":" + step + "}");
  }

  void roundTrip(CheckpointStore store) {
    store.save(checkpoint(100), 2);
    store.save(checkpoint(200), 2);
    store.save(checkpoint(300), 2);
    assertEquals(List.of(200L, 300L), store.completeSteps(), "checkpoints_total_limit keeps the newest two");
    TrainingCheckpoint back = store.load("latest").orElseThrow();
    assertEquals(300, back.step());
    assertArrayEquals(new float[] {300, 2, 3, 4}, back.tensors().get("trainable").get("a.lora_A.weight"));
    assertArrayEquals(new long[] {2, 2}, back.shapes().get("a.lora_A.weight"));
    assertEquals("{\"step\":300}", back.state());
    assertEquals(200, store.load("checkpoint-200").orElseThrow().step());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.load("100"));
    assertTrue(e.getMessage().contains("[200, 300]"), e.getMessage());
  }

  @Test
  void partialCheckpointsAreNeverLoaded() throws Exception {
    CheckpointStore store = new CheckpointStore(tmp.toString(), new Configuration());
    assertTrue(store.load("latest").isEmpty());
    roundTrip(store);
    // a job killed while writing step 400 leaves a folder without the marker
    Files.createDirectories(tmp.resolve("checkpoint-400"));
    Files.writeString(tmp.resolve("checkpoint-400/trainable.safetensors"), "half");
    assertEquals(300, store.load("latest").orElseThrow().step());
    store.save(checkpoint(400), 0);
    assertEquals(400, store.load("latest").orElseThrow().step(), "rewritten cleanly by the resumed run");
  }

  @Test
  void worksOnS3() {
    try (S3ProxyServer s3 = S3ProxyServer.start(tmp.resolve("s3"), "runs")) {
      roundTrip(new CheckpointStore("s3a://runs/job1", s3.hadoopConf()));
    }
  }
}
