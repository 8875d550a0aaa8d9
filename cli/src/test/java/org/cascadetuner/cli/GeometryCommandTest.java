package org.cascadetuner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cascadetuner.common.testing.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The geometry contract end to end: dataset entries as users write them, through the command, against the vectors. */
class GeometryCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  static synchronized Run run(String stdin, String... args) {
    InputStream saved = System.in;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      CommandLine cl = CascadeTuner.commandLine();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      String[] full = new String[args.length + 1];
      full[0] = "geometry";
      System.arraycopy(args, 0, full, 1, args.length);
      int code = cl.execute(full);
      return new Run(code, out.toString(), err.toString());
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void everyDeterministicGeometryVectorWithARawConfigPassesThroughTheCommand() throws Exception {
    JsonNode vectors = JSON.readTree(SharedFiles.spec("bucket-vectors.json").toFile());
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (JsonNode v : vectors) {
      if (!v.path("category").asText().equals("geometry")) continue;
      JsonNode in = v.path("input");
      JsonNode raw = in.get("dataset_config_raw");
      // a drawn crop aspect has no fixed answer
      if (raw == null || raw.path("crop_aspect").asText("").equals("random")) continue;
      ObjectNode entry = ((ObjectNode) raw.deepCopy());
      entry.put("id", "v").put("type", "local").put("instance_data_dir", "/nowhere");
      // the vectors fix crop offsets with a center crop where the config leaves crop_style to its default
      if (!entry.has("crop_style")) entry.put("crop_style", "center");
      boolean randomOffsets = entry.path("crop_style").asText().equals("random");
      Path f = tmp.resolve(v.path("id").asText() + ".json");
      Files.writeString(f, entry.toString());
      List<String> args = new ArrayList<>(List.of("--dataset-config", f.toString()));
      if (in.has("aspect_bucket_alignment")) {
        args.add("--set");
        args.add("aspect_bucket_alignment=" + in.get("aspect_bucket_alignment").asInt());
      }
      if (in.has("aspect_bucket_rounding")) {
        args.add("--set");
        args.add("aspect_bucket_rounding=" + in.get("aspect_bucket_rounding").asInt());
      }
      JsonNode size = in.get("original_size");
      Run r = run("{\"width\":" + size.get(0) + ",\"height\":" + size.get(1) + "}\n", args.toArray(String[]::new));
      if (r.exit != 0) {
        failures.add(v.path("id").asText() + ": exit " + r.exit + " " + r.err);
        continue;
      }
      JsonNode got = JSON.readTree(r.out);
      JsonNode exp = v.path("expected");
      checked++;
      String id = v.path("id").asText();
      if (got.path("kept").asBoolean() != exp.path("kept").asBoolean()) {
        failures.add(id + ": kept " + got.path("kept"));
        continue;
      }
      if (!exp.path("kept").asBoolean()) continue;
      expectEqual(failures, id, "target_size", exp.get("target_size"), got.get("target_size"));
      expectEqual(failures, id, "resize_before_crop", exp.get("actual_resize_before_crop"),
          got.get("resize_before_crop"));
      if (!randomOffsets) {
        expectEqual(failures, id, "crop_top_left", exp.get("crop_coordinates_top_left"), got.get("crop_top_left"));
      }
      expectEqual(failures, id, "aspect_bucket", exp.get("aspect_bucket"), got.get("aspect_bucket"));
      expectEqual(failures, id, "latent_shape", exp.get("latent_shape"), got.get("latent_shape"));
    }
    assertTrue(checked > 50, "checked " + checked + " vectors");
    assertEquals(List.of(), failures);
  }

  static void expectEqual(List<String> failures, String id, String field, JsonNode exp, JsonNode got) {
    if (exp != null && !exp.equals(got)) failures.add(id + ": " + field + " expected " + exp + " got " + got);
  }

  @Test
  void theQuickstartDatasetIsReadAsWrittenAndBadInputIsNamed() throws Exception {
    JsonNode entries = JSON.readTree(SharedFiles.spec("quickstart/multidatabackend.json").toFile());
    Path f = tmp.resolve("primary.json");
    Files.writeString(f, entries.get(0).toString());
    Run ok = run("{\"width\":1920,\"height\":1080,\"id\":\"a.jpg\"}\n{\"width\":767,\"height\":1024}\n",
        "--dataset-config", f.toString());
    assertEquals(0, ok.exit, ok.err);
    String[] lines = ok.out.strip().split("\n");
    assertEquals(2, lines.length);
    JsonNode first = JSON.readTree(lines[0]);
    assertEquals("[1024,1024]", first.get("target_size").toString());
    assertEquals("[16,24,24]", first.get("latent_shape").toString());
    assertTrue(ok.err.contains("1024x1024"), "the resolution reinterpretation is warned about: " + ok.err);
    assertEquals(false, JSON.readTree(lines[1]).get("kept").asBoolean(), "767 px is below minimum_image_size 768");
    Run bad = run("{\"width\":10}\n", "--dataset-config", f.toString());
    assertEquals(2, bad.exit);
    assertTrue(bad.err.contains("line 1"), bad.err);
    Files.writeString(f, "{\"crop_aspect\":\"diagonal\",\"resolution\":1024}");
    Run invalid = run("", "--dataset-config", f.toString());
    assertEquals(2, invalid.exit);
    assertTrue(invalid.err.contains("crop_aspect must be one of"), invalid.err);
  }
}
