package org.cascadetuner.common.data.image;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A measurement, not a test: decode + resize + crop (and, separately, the effnet scale and normalisation) of every
 * JPEG in a folder, on one thread, as tools/bench-image-pipeline.py runs it next to Pillow. The geometry is the
 * square crop of the Stable Cascade quickstart: short side resized to 1024, centre crop 1024².
 *
 * <p>Usage: {@code java -cp ... ImagePipelineBenchmark DIR [passes]}; prints one line per pass and a summary with
 * the best pass (thread CPU time, so other processes on the machine disturb it less than wall time).
 */
public final class ImagePipelineBenchmark {
  private ImagePipelineBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<byte[]> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList()) files.add(Files.readAllBytes(p));
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    ImageDecoder decoder = new ImageDecoder();
    LanczosResampler resampler = new LanczosResampler();
    EffnetPreprocess effnet = new EffnetPreprocess(EffnetPreprocess.DEFAULT_SCALE, resampler);
    double bestCrop = Double.MAX_VALUE, bestChain = Double.MAX_VALUE, bestDecode = Double.MAX_VALUE;
    for (int pass = -2; pass < passes; pass++) { // two passes to warm the JIT up
      long t0 = mx.getCurrentThreadCpuTime();
      long sink = 0;
      for (byte[] f : files) sink += ((RgbImage) decoder.decode("bench.jpg", f)).width();
      long t1 = mx.getCurrentThreadCpuTime();
      for (byte[] f : files) sink += cropped(decoder, resampler, f).width();
      long t2 = mx.getCurrentThreadCpuTime();
      for (byte[] f : files) sink += effnet.input(cropped(decoder, resampler, f)).chw().length;
      long t3 = mx.getCurrentThreadCpuTime();
      double decode = (t1 - t0) / 1e6 / files.size(), crop = (t2 - t1) / 1e6 / files.size();
      double chain = (t3 - t2) / 1e6 / files.size();
      if (pass >= 0) {
        bestDecode = Math.min(bestDecode, decode);
        bestCrop = Math.min(bestCrop, crop);
        bestChain = Math.min(bestChain, chain);
      }
      System.out.printf(Locale.ROOT, "java pass %d: decode %.2f ms, decode+resize+crop %.2f ms, +effnet input %.2f ms"
          + " per image (%d)%n", pass, decode, crop, chain, sink % 7);
    }
    System.out.printf(Locale.ROOT, "java best: decode %.2f ms, decode+resize+crop %.2f ms = %.1f images/s,"
        + " +effnet input %.2f ms = %.1f images/s%n", bestDecode, bestCrop, 1000 / bestCrop, bestChain,
        1000 / bestChain);
  }

  /** Short side to 1024 (aspect kept, rounded), centre crop 1024². */
  private static RgbImage cropped(ImageDecoder decoder, LanczosResampler resampler, byte[] file) {
    RgbImage img = (RgbImage) decoder.decode("bench.jpg", file);
    int[] g = geometry(img.width(), img.height());
    return resampler.resizeAndCrop(img, g[0], g[1], g[2], g[3], 1024, 1024);
  }

  /** {resizeWidth, resizeHeight, cropTop, cropLeft}; the Python side computes the same numbers. */
  static int[] geometry(int w, int h) {
    int rw, rh;
    if (w <= h) {
      rw = 1024;
      rh = (int) Math.rint(h * 1024.0 / w);
    } else {
      rh = 1024;
      rw = (int) Math.rint(w * 1024.0 / h);
    }
    return new int[] {rw, rh, (rh - 1024) / 2, (rw - 1024) / 2};
  }
}
