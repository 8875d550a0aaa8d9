package org.cascadetuner.common.data;

import static org.cascadetuner.common.data.BucketVectors.checkAll;
import static org.cascadetuner.common.data.BucketVectors.expect;
import static org.cascadetuner.common.data.BucketVectors.geometryConfig;
import static org.cascadetuner.common.data.BucketVectors.longs;
import static org.cascadetuner.common.data.BucketVectors.size;
import static org.cascadetuner.common.data.BucketVectors.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cascadetuner.common.data.GeometryConfig.ResolutionType;
import org.cascadetuner.common.data.GeometryResult.Kept;
import org.junit.jupiter.api.Test;

/** Every geometry vector of spec/bucket-vectors.json against {@link SizeCalculator} and {@link ImageGeometry}. */
class GeometryVectorsTest {
  private static final long SEED = 42;

  @Test
  void sizeByArea() {
    checkAll("size_by_area", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      SizeCalculator calc = new SizeCalculator(ResolutionType.AREA, in.get("alignment").asInt(),
          in.get("aspect_bucket_rounding").asInt());
      SizeCalculator.Sizing s = calc.byPixelArea(in.get("aspect").asDouble(), in.get("megapixels").asDouble(),
          size(in.get("original_size")));
      expect("target_size", size(ex.get("target_size")), s.target());
      expect("intermediary_size", size(ex.get("intermediary_size")), s.intermediary());
      expect("aspect_bucket", ex.get("aspect_bucket").asText(), PyMath.repr(s.key()));
    });
  }

  @Test
  void sizeByPixelEdge() {
    checkAll("size_by_pixel_edge", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      SizeCalculator calc = new SizeCalculator(ResolutionType.PIXEL, in.get("alignment").asInt(),
          in.get("aspect_bucket_rounding").asInt());
      SizeCalculator.Sizing s = calc.byPixelEdge(in.get("aspect").asDouble(), in.get("resolution_px").asDouble(),
          size(in.get("original_size")));
      expect("target_size", size(ex.get("target_size")), s.target());
      expect("intermediary_size", size(ex.get("intermediary_size")), s.intermediary());
      expect("aspect_bucket", ex.get("aspect_bucket").asText(), PyMath.repr(s.key()));
    });
  }

  @Test
  void areaPixelResolution() {
    checkAll("area_pixel_resolution", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      ResolutionType type = in.get("resolution_type").asText().equals("pixel") ? ResolutionType.PIXEL
          : ResolutionType.AREA;
      GeometryConfig c = new GeometryConfig(type, in.get("resolution").asDouble(), null, null, null, true,
          GeometryConfig.CropStyle.CENTER, GeometryConfig.CropAspect.SQUARE, List.of(),
          in.get("alignment").asInt(), 2, null, null);
      expect("pixel_resolution", ex.get("pixel_resolution").asLong(),
          new ImageGeometry(c, LatentShape.DEFAULT_EFFNET_SCALE, SEED).pixelResolution());
      if (ex.has("non_square_edge_used_by_area_calculator")) {
        expect("non_square_edge_used_by_area_calculator", ex.get("non_square_edge_used_by_area_calculator").asLong(),
            new SizeCalculator(type, c.alignment(), 2).areaEdge(c.resolution()));
      }
    });
  }

  @Test
  void geometry() {
    checkAll("geometry", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      GeometryConfig c = geometryConfig(in);
      Size original = size(in.get("original_size"));
      GeometryResult g = new ImageGeometry(c, LatentShape.DEFAULT_EFFNET_SCALE, SEED).compute(original, "img");
      if (ex.has("kept")) expect("kept", ex.get("kept").asBoolean(), g.kept());
      if (!g.kept()) {
        if (ex.size() > 1) throw new AssertionError("rejected (" + g + ") but a geometry was expected");
        return;
      }
      Kept k = (Kept) g;
      expect("target_size", size(ex.get("target_size")), k.target());
      expect("aspect_bucket", ex.get("aspect_bucket").asText(), k.bucket());
      if (ex.has("intermediary_size_in_metadata")) {
        expect("intermediary_size_in_metadata", size(ex.get("intermediary_size_in_metadata")), k.intermediary());
      }
      if (ex.has("actual_resize_before_crop")) {
        expect("actual_resize_before_crop", size(ex.get("actual_resize_before_crop")), k.resizeBeforeCrop());
      }
      for (String f : List.of("crop_coordinates_top_left", "crop_coordinates_top_left_if_center")) {
        if (ex.has(f)) expect(f, longs(ex.get(f)), List.of(k.crop().top(), k.crop().left()));
      }
      if (ex.has("chosen_crop_aspect_bucket")) {
        expect("chosen_crop_aspect_bucket", ex.get("chosen_crop_aspect_bucket").asDouble(), k.chosenCropAspect());
      }
      if (ex.has("latent_shape")) expect("latent_shape", longs(ex.get("latent_shape")), k.latent().toList());
      if (ex.has("simpletuner_latent_shape_CHW")) {
        Kept st = (Kept) new ImageGeometry(c, 1.0, SEED).compute(original, "img");
        expect("simpletuner_latent_shape_CHW", longs(ex.get("simpletuner_latent_shape_CHW")), st.latent().toList());
      }
      expect("fills target", true, k.fillsTarget());
    });
  }

  /** Offsets must cover the vector's inclusive ranges exactly (both ends reached over many image keys). */
  @Test
  void randomCropOffsets() {
    checkAll("geometry_random_crop", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      GeometryConfig c = geometryConfig(in);
      Size original = size(in.get("original_size"));
      ImageGeometry geo = new ImageGeometry(c, LatentShape.DEFAULT_EFFNET_SCALE, SEED);
      long minTop = Long.MAX_VALUE;
      long maxTop = Long.MIN_VALUE;
      long minLeft = Long.MAX_VALUE;
      long maxLeft = Long.MIN_VALUE;
      for (int i = 0; i < 2000; i++) {
        Kept k = (Kept) geo.compute(original, "dir/image-" + i + ".png");
        expect("target_size", size(ex.get("target_size")), k.target());
        expect("actual_resize_before_crop", size(ex.get("actual_resize_before_crop")), k.resizeBeforeCrop());
        expect("aspect_bucket", ex.get("aspect_bucket").asText(), k.bucket());
        minTop = Math.min(minTop, k.crop().top());
        maxTop = Math.max(maxTop, k.crop().top());
        minLeft = Math.min(minLeft, k.crop().left());
        maxLeft = Math.max(maxLeft, k.crop().left());
        expect("rerun of the same key", k, geo.compute(original, "dir/image-" + i + ".png"));
      }
      expect("top_range_inclusive", longs(ex.get("top_range_inclusive")), List.of(minTop, maxTop));
      expect("left_range_inclusive", longs(ex.get("left_range_inclusive")), List.of(minLeft, maxLeft));
      // SimpleTuner's trainingsample path reports the centre offsets: what crop_style center gives here.
      GeometryConfig centre = new GeometryConfig(c.resolutionType(), c.resolution(), c.minimumImageSize(),
          c.maximumImageSize(), c.targetDownsampleSize(), c.crop(), GeometryConfig.CropStyle.CENTER, c.cropAspect(),
          c.cropAspectBuckets(), c.alignment(), c.rounding(), null, null);
      Kept k = (Kept) new ImageGeometry(centre, 0.75, SEED).compute(original, "x");
      expect("reported_crop_coordinates_when_trainingsample_path",
          longs(ex.get("reported_crop_coordinates_when_trainingsample_path")), List.of(k.crop().top(), k.crop().left()));
    });
  }

  /** SimpleTuner's arithmetic reproduced, and the configuration flagged by {@link GeometryDefects}. */
  @Test
  void knownDefects() {
    checkAll("geometry_known_defect", v -> {
      JsonNode in = v.get("input");
      JsonNode ex = v.get("expected");
      GeometryConfig c = geometryConfig(in);
      Kept k = (Kept) new ImageGeometry(c, LatentShape.DEFAULT_EFFNET_SCALE, SEED).compute(size(in.get("original_size")), "x");
      expect("target_size", size(ex.get("target_size")), k.target());
      expect("actual_resize_before_crop", size(ex.get("actual_resize_before_crop")), k.resizeBeforeCrop());
      expect("resulting_image_size", size(ex.get("resulting_image_size")), k.resulting());
      expect("fills target", false, k.fillsTarget());
      if (GeometryDefects.find(c).isEmpty()) throw new AssertionError("config not flagged by GeometryDefects");
    });
  }

  @Test
  void minSizeFilter() {
    checkAll("min_size_filter", v -> {
      JsonNode in = v.get("input");
      GeometryResult g = new ImageGeometry(geometryConfig(in), LatentShape.DEFAULT_EFFNET_SCALE, SEED)
          .compute(size(in.get("original_size")), "x");
      expect("kept", v.get("expected").get("kept").asBoolean(), g.kept());
      if (!g.kept()) expect("reject_reason", "too_small", ((GeometryResult.Rejected) g).reason().code());
    });
  }

  @Test
  void bucketTable() {
    checkAll("bucket_table", v -> {
      JsonNode in = v.get("input");
      assertEquals("pixel_area", in.get("resolution_type").asText());
      double mp = Math.pow(in.get("resolution").asDouble(), 2) / 1e6;
      SizeCalculator calc = new SizeCalculator(ResolutionType.AREA, in.get("alignment").asInt(),
          in.get("aspect_bucket_rounding").asInt());
      StringBuilder bad = new StringBuilder();
      for (JsonNode row : v.get("expected").get("rows")) {
        double a = row.get("aspect_in").asDouble();
        SizeCalculator.Sizing s = calc.byPixelArea(a, mp, Size.of(Math.round(a * 1000), 1000));
        if (!s.target().equals(size(row.get("target_size"))) || !PyMath.repr(s.key()).equals(row.get("bucket_key").asText())) {
          bad.append(" a=").append(a).append("→").append(s.target()).append('/').append(PyMath.repr(s.key()));
        }
      }
      if (bad.length() > 0) throw new AssertionError("rows differ:" + bad);
    });
  }

  @Test
  void bucketAspectFilter() {
    checkAll("bucket_aspect_filter", v -> {
      JsonNode in = v.get("input");
      Map<String, List<String>> buckets = new LinkedHashMap<>();
      in.get("buckets").fields().forEachRemaining(e -> buckets.put(e.getKey(), strings(e.getValue())));
      Double min = in.has("minimum_aspect_ratio") ? in.get("minimum_aspect_ratio").asDouble() : null;
      Double max = in.has("maximum_aspect_ratio") ? in.get("maximum_aspect_ratio").asDouble() : null;
      Map<String, List<String>> expected = new LinkedHashMap<>();
      v.get("expected").get("buckets").fields().forEachRemaining(e -> expected.put(e.getKey(), strings(e.getValue())));
      expect("buckets", expected, new LinkedHashMap<>(BucketKeys.filterByAspect(buckets, min, max)));
    });
  }

  @Test
  void faceCropIsRefusedNamingTheAllowedStyles() {
    GeometryConfig c = new GeometryConfig(ResolutionType.AREA, 1.048576, null, null, null, true,
        GeometryConfig.CropStyle.FACE, GeometryConfig.CropAspect.SQUARE, List.of(), 64, 2, null, null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ImageGeometry(c, 0.75, 1));
    assertTrue(e.getMessage().contains("face") && e.getMessage().contains("'center'")
        && e.getMessage().contains("'corner'") && e.getMessage().contains("'random'"), e.getMessage());
  }

  @Test
  void areaMinimumAboveFiveMegapixelsRejectsEachImageWithAReason() {
    GeometryConfig c = new GeometryConfig(ResolutionType.AREA, 1.048576, 9.0, null, null, false,
        GeometryConfig.CropStyle.CENTER, GeometryConfig.CropAspect.SQUARE, List.of(), 64, 2, null, null);
    GeometryResult g = new ImageGeometry(c, 0.75, 1).compute(Size.of(5000, 5000), "x");
    assertFalse(g.kept());
    GeometryResult.Rejected r = (GeometryResult.Rejected) g;
    assertEquals("invalid_minimum_image_size", r.reason().code());
    assertTrue(r.detail().contains("minimum_image_size 9.0"), r.detail());
  }

  @Test
  void randomCropAspectIsSeededPerImageAndUsesEveryBucketAndTheWeights() {
    List<GeometryConfig.AspectChoice> weighted = List.of(new GeometryConfig.AspectChoice(0.75, 0.9, false),
        new GeometryConfig.AspectChoice(1.5, 0.1, false));
    GeometryConfig c = new GeometryConfig(ResolutionType.AREA, 1.048576, null, null, null, true,
        GeometryConfig.CropStyle.CENTER, GeometryConfig.CropAspect.RANDOM, weighted, 64, 2, null, null);
    ImageGeometry geo = new ImageGeometry(c, 0.75, 7);
    int wide = 0;
    for (int i = 0; i < 2000; i++) {
      Kept k = (Kept) geo.compute(Size.of(3000, 2000), "i" + i);
      assertEquals(k, geo.compute(Size.of(3000, 2000), "i" + i));
      if (k.chosenCropAspect() == 1.5) wide++;
    }
    assertTrue(wide > 120 && wide < 280, "weight 0.1 of 2000 draws, got " + wide);
    Kept a = (Kept) new ImageGeometry(c, 0.75, 7).compute(Size.of(3000, 2000), "i1");
    assertEquals(a, geo.compute(Size.of(3000, 2000), "i1"), "same seed, same key: same choice in a new instance");
  }

  @Test
  void defectCheckPassesThePixelAreaSizesAndFlagsOnlyTheBadOnes() {
    for (int edge : new int[] {512, 768, 1024, 1536, 2048}) {
      GeometryConfig c = new GeometryConfig(ResolutionType.AREA, edge * (double) edge / 1e6, null,
          edge * 1.5 * edge * 1.5 / 1e6, edge * (double) edge / 1e6, true, GeometryConfig.CropStyle.RANDOM,
          GeometryConfig.CropAspect.SQUARE, List.of(), 64, 2, null, null);
      assertEquals(List.of(), GeometryDefects.find(c), "pixel_area " + edge);
    }
    GeometryConfig half = new GeometryConfig(ResolutionType.AREA, 0.5, null, null, null, true,
        GeometryConfig.CropStyle.RANDOM, GeometryConfig.CropAspect.SQUARE, List.of(), 64, 2, null, null);
    assertTrue(GeometryDefects.find(half).get(0).contains("resolution 0.5"));
  }
}
