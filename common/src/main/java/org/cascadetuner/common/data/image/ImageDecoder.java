package org.cascadetuner.common.data.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes a file's bytes to 8-bit RGB ({@link RgbImage}) with its EXIF orientation applied, or says why it cannot
 * ({@link Rejection}). A bad file never throws: every failure of the bytes becomes a typed reason. The caller
 * reads the bytes (see {@link ImageFile}), so storage failures, which are worth retrying, never reach here.
 *
 * <p>Colour policy (see {@link RasterConverter}): samples as stored, ICC profiles ignored, alpha over white,
 * wide samples rounded, CMYK as Pillow converts it. Multi-frame files give their first frame (a GIF's first frame
 * is placed on its logical screen). Readers: TwelveMonkeys for JPEG (wrapping the JDK's libjpeg), WebP, TIFF and
 * BMP; the JDK's own for PNG and GIF.
 *
 * <p>Not thread-safe (it keeps one reader per format): one decoder per thread, e.g. one per Spark partition.
 */
public final class ImageDecoder implements AutoCloseable {
  private final ImageLimits limits;
  private final ImageReaders readers = new ImageReaders();
  private final List<String> warnings = new ArrayList<>();
  private final IIOReadWarningListener warningListener = (source, message) -> warnings.add(message);

  public ImageDecoder(ImageLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public ImageDecoder() {
    this(ImageLimits.DEFAULT);
  }

  public ImageLimits limits() {
    return limits;
  }

  /**
   * @param name how the file is named in messages (its dataset-relative path or URI)
   * @param bytes the whole file
   */
  public DecodeResult decode(String name, byte[] bytes) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bytes, "bytes");
    Rejection early = screen(name, bytes);
    if (early != null) return early;
    ImageFormat format = ImageFormat.sniff(bytes);
    ImageReader reader = readers.get(format);
    try {
      DecodeResult result = read(reader, name, format, bytes);
      reader.setInput(null);
      return result;
    } catch (IOException | RuntimeException e) {
      readers.discard(format); // a reader that failed mid-file may hold broken native state
      return classify(name, format, e);
    }
  }

  private DecodeResult read(ImageReader reader, String name, ImageFormat format, byte[] bytes) throws IOException {
    byte[] data = format == ImageFormat.JPEG ? Containers.stripJpegIcc(bytes) : bytes;
    warnings.clear();
    try (ImageInputStream in = new ByteArrayImageInputStream(data)) {
      reader.setInput(in, true, true);
      reader.removeAllIIOReadWarningListeners();
      reader.addIIOReadWarningListener(warningListener);
      int w = reader.getWidth(0), h = reader.getHeight(0);
      Rejection size = checkSize(name, format, w, h, limits);
      if (size == null && format == ImageFormat.GIF) {
        int[] screen = Containers.gifScreen(bytes);
        size = checkSize(name, format, screen[0], screen[1], limits);
      }
      if (size != null) return size;
      RgbImage decoded;
      try {
        decoded = format == ImageFormat.JPEG ? readJpeg(reader, data, w, h) : rgb(reader.read(0));
      } catch (RasterConverter.Unsupported e) {
        return new Rejection(name, RejectReason.UNSUPPORTED_COLOR_MODEL, format.code() + " with " + e.getMessage()
            + "; 8-bit RGB is made from grey, RGB, palette or CMYK samples of 1 to 16 bits");
      }
      String cut = truncationWarning();
      if (cut != null) return new Rejection(name, RejectReason.TRUNCATED, format.code() + " decoder: " + cut);
      if (format == ImageFormat.GIF) decoded = GifScreen.place(decoded, bytes);
      return ExifOrientation.apply(decoded, ExifOrientation.read(format, bytes));
    }
  }

  /**
   * Grey and YCbCr/RGB JPEGs: libjpeg decodes straight into an RGB-ordered raster that becomes the {@link RgbImage}
   * without a copy (libjpeg expands grey to RGB itself). CMYK and YCCK JPEGs (the reader offers a CMYK image type):
   * the raw samples, converted by {@link JpegCmyk} as Pillow converts them.
   */
  private static RgbImage readJpeg(ImageReader reader, byte[] data, int w, int h)
      throws IOException, RasterConverter.Unsupported {
    List<ImageTypeSpecifier> types = new ArrayList<>();
    for (Iterator<ImageTypeSpecifier> it = reader.getImageTypes(0); it.hasNext(); ) types.add(it.next());
    for (ImageTypeSpecifier t : types) {
      if (t.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) {
        Raster raw = reader.readRaster(0, null);
        if (raw.getNumBands() != 4) throw new IOException("CMYK JPEG decoded to " + raw.getNumBands() + " bands");
        return new RgbImage(raw.getWidth(), raw.getHeight(), JpegCmyk.toRgb(raw, JpegCmyk.adobeTransform(data) > 0));
      }
    }
    ImageReadParam param = reader.getDefaultReadParam();
    ColorModel first = types.isEmpty() ? null : types.get(0).getColorModel();
    if (first != null && !first.hasAlpha() && (first.getColorSpace().getType() == ColorSpace.TYPE_RGB
        || first.getColorSpace().getType() == ColorSpace.TYPE_GRAY)) {
      param.setDestination(rgbDestination(w, h));
    }
    return rgb(reader.read(0, param));
  }

  private static RgbImage rgb(BufferedImage image) throws RasterConverter.Unsupported {
    return new RgbImage(image.getWidth(), image.getHeight(), RasterConverter.toRgb(image));
  }

  @Override
  public void close() {
    readers.close();
  }

  // ---------------------------------------------------------------- shared with ImageProbe

  /** The checks that need no reader: empty, unknown signature, structurally cut. Null when none applies. */
  static Rejection screen(String name, byte[] bytes) {
    if (bytes.length == 0) return new Rejection(name, RejectReason.ZERO_BYTES, "the file is empty");
    ImageFormat format = ImageFormat.sniff(bytes);
    if (format == null) {
      return new Rejection(name, RejectReason.NOT_AN_IMAGE,
          "starts with " + hex(bytes, 12) + ": not the signature of JPEG, PNG, WebP, BMP, TIFF or GIF");
    }
    String cut = Containers.truncation(format, bytes);
    if (cut != null) return new Rejection(name, RejectReason.TRUNCATED, format.code() + ": " + cut);
    return null;
  }

  static Rejection checkSize(String name, ImageFormat format, int w, int h, ImageLimits limits) {
    if (w <= 0 || h <= 0) {
      return new Rejection(name, RejectReason.UNDECODABLE, format.code() + " header gives a size of " + w + "x" + h);
    }
    long pixels = (long) w * h;
    if (pixels > limits.maxPixels()) {
      return new Rejection(name, RejectReason.TOO_MANY_PIXELS,
          format.code() + " header says " + w + "x" + h + " = " + pixels + " pixels; the limit is "
              + limits.maxPixels());
    }
    return null;
  }

  static Rejection classify(String name, ImageFormat format, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof EOFException) {
        return new Rejection(name, RejectReason.TRUNCATED, format.code() + " decoder hit the end of the data: "
            + describe(e));
      }
    }
    return new Rejection(name, RejectReason.UNDECODABLE, format.code() + " decoder: " + describe(e));
  }

  private static String describe(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null && s.length() < 300; t = t.getCause()) {
      if (s.length() > 0) s.append(" <- ");
      s.append(t.getClass().getSimpleName());
      if (t.getMessage() != null) s.append(": ").append(t.getMessage());
    }
    return s.toString();
  }

  private static String hex(byte[] b, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(n, b.length); i++) {
      if (i > 0) s.append(' ');
      s.append(String.format(Locale.ROOT, "%02x", b[i] & 0xFF));
    }
    return s.toString();
  }

  // ---------------------------------------------------------------- reading

  /** An sRGB-tagged image over one byte array laid out as {@link RgbImage} wants it. */
  private static BufferedImage rgbDestination(int w, int h) {
    DataBufferByte buffer = new DataBufferByte(3 * w * h);
    WritableRaster raster =
        Raster.createInterleavedRaster(buffer, w, h, 3 * w, 3, new int[] {0, 1, 2}, null);
    ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
        Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    return new BufferedImage(cm, raster, false, null);
  }

  /** libjpeg reports a cut stream as a warning and fills the rest with grey; we reject instead. */
  private String truncationWarning() {
    for (String w : warnings) {
      String l = w.toLowerCase(Locale.ROOT);
      if (l.contains("premature end") || l.contains("truncated") || l.contains("missing eoi")) return w;
    }
    return null;
  }
}
