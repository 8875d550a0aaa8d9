package org.cascadetuner.common.data.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Header facts of a file without decoding its pixels: format, displayed size (after the EXIF orientation), colour
 * model, bit depth, frame count; or the reason the file is unusable, where the header and the container's
 * structure already tell (empty, unknown, cut short, too many pixels, broken header). A file that passes may
 * still fail to decode (corrupt pixel data): only {@link ImageDecoder} can tell.
 *
 * <p>PNG and GIF are described from their own header bytes (IHDR; the screen descriptor and colour tables);
 * the other formats through their ImageIO reader's header parsing ({@code getWidth}, {@code getImageTypes}),
 * which reads no pixel data. Not thread-safe: one probe per thread.
 */
public final class ImageProbe implements AutoCloseable {
  private final ImageLimits limits;
  private final ImageReaders readers = new ImageReaders();

  public ImageProbe(ImageLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public ImageProbe() {
    this(ImageLimits.DEFAULT);
  }

  public ProbeResult probe(String name, byte[] bytes) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bytes, "bytes");
    Rejection early = ImageDecoder.screen(name, bytes);
    if (early != null) return early;
    ImageFormat format = ImageFormat.sniff(bytes);
    int orientation = ExifOrientation.read(format, bytes);
    try {
      Header h = switch (format) {
        case PNG -> png(bytes);
        case GIF -> gif(bytes);
        default -> fromReader(format, bytes);
      };
      Rejection size = ImageDecoder.checkSize(name, format, h.width, h.height, limits);
      if (size != null) return size;
      boolean swap = ExifOrientation.swapsSides(orientation);
      return new ImageInfo(format, swap ? h.height : h.width, swap ? h.width : h.height, orientation, h.color,
          h.alpha, h.bits, h.frames);
    } catch (IOException | RuntimeException e) {
      readers.discard(format);
      return ImageDecoder.classify(name, format, e);
    }
  }

  @Override
  public void close() {
    readers.close();
  }

  private record Header(int width, int height, ColorKind color, boolean alpha, int bits, int frames) {}

  /** IHDR: width, height, bit depth, colour type; tRNS before IDAT adds transparency. */
  private static Header png(byte[] b) throws IOException {
    if (b.length < 33 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
      throw new IOException("the first chunk is not IHDR");
    }
    long w = be32(b, 16), h = be32(b, 20);
    int depth = b[24] & 0xFF, type = b[25] & 0xFF;
    if (w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) throw new IOException("IHDR size " + w + "x" + h);
    boolean trns = false;
    for (int i = 8; i + 8 <= b.length; ) {
      long len = be32(b, i);
      if (b[i + 4] == 'I' && b[i + 5] == 'D' && b[i + 6] == 'A' && b[i + 7] == 'T') break;
      if (b[i + 4] == 't' && b[i + 5] == 'R' && b[i + 6] == 'N' && b[i + 7] == 'S') trns = true;
      i = (int) Math.min(Integer.MAX_VALUE, i + 12 + len);
    }
    ColorKind color = switch (type) {
      case 0, 4 -> ColorKind.GREY;
      case 2, 6 -> ColorKind.RGB;
      case 3 -> ColorKind.PALETTE;
      default -> throw new IOException("IHDR colour type " + type + " is not 0, 2, 3, 4 or 6");
    };
    boolean alpha = type == 4 || type == 6 || trns;
    return new Header((int) w, (int) h, color, alpha, depth, Containers.frames(ImageFormat.PNG, b));
  }

  /** Logical screen size; colour table size of the first frame (local, else global); its transparency flag. */
  private static Header gif(byte[] b) throws IOException {
    int[] screen = Containers.gifScreen(b);
    int[] first = Containers.gifFirstFrame(b);
    if (first == null) throw new IOException("no image descriptor");
    int packed = b[10] & 0xFF;
    int bits = (packed & 7) + 1;
    int local = localTableBits(b);
    if (local > 0) bits = local;
    return new Header(screen[0], screen[1], ColorKind.PALETTE, first[4] == 1, bits,
        Containers.frames(ImageFormat.GIF, b));
  }

  private static int localTableBits(byte[] b) {
    int packed = b[10] & 0xFF;
    int i = 13 + ((packed & 0x80) != 0 ? 3 << ((packed & 7) + 1) : 0);
    while (i + 10 <= b.length) {
      int kind = b[i] & 0xFF;
      if (kind == 0x2C) {
        int p = b[i + 9] & 0xFF;
        return (p & 0x80) != 0 ? (p & 7) + 1 : 0;
      }
      if (kind != 0x21) return 0;
      i += 2;
      while (i < b.length && (b[i] & 0xFF) != 0) i += 1 + (b[i] & 0xFF);
      i++;
    }
    return 0;
  }

  private Header fromReader(ImageFormat format, byte[] bytes) throws IOException {
    byte[] data = format == ImageFormat.JPEG ? Containers.stripJpegIcc(bytes) : bytes;
    ImageReader reader = readers.get(format);
    try (ImageInputStream in = new ByteArrayImageInputStream(data)) {
      reader.setInput(in, false, true);
      int w = reader.getWidth(0), h = reader.getHeight(0);
      if ((long) w * h > limits.maxPixels() || w <= 0 || h <= 0) {
        return new Header(w, h, ColorKind.OTHER, false, 0, 1); // rejected by the caller from the size alone
      }
      ImageTypeSpecifier type = rawType(reader);
      int frames = Containers.frames(format, bytes);
      if (frames == 0) frames = reader.getNumImages(true);
      ColorModel cm = type.getColorModel();
      SampleModel sm = type.getSampleModel();
      int bits = 0;
      for (int b = 0; b < sm.getNumBands(); b++) bits = Math.max(bits, sm.getSampleSize(b));
      ColorKind color;
      if (cm instanceof IndexColorModel) {
        color = ColorKind.PALETTE;
      } else {
        color = switch (cm.getColorSpace().getType()) {
          case ColorSpace.TYPE_GRAY -> ColorKind.GREY;
          case ColorSpace.TYPE_RGB -> ColorKind.RGB;
          case ColorSpace.TYPE_CMYK -> ColorKind.CMYK;
          default -> ColorKind.OTHER;
        };
      }
      return new Header(w, h, color, cm.hasAlpha(), bits, frames);
    } finally {
      reader.setInput(null);
    }
  }

  /** The reader's description of the stored samples; for JPEG the CMYK type when there is one. */
  private static ImageTypeSpecifier rawType(ImageReader reader) throws IOException {
    ImageTypeSpecifier raw = null;
    Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
    ImageTypeSpecifier first = types.hasNext() ? types.next() : null;
    try {
      raw = reader.getRawImageType(0);
    } catch (IOException | RuntimeException e) {
      raw = null; // some readers only know the types they can convert to
    }
    if (raw == null && first == null) throw new IOException("the reader offers no image type");
    if (raw == null) {
      for (ImageTypeSpecifier t = first; t != null; t = types.hasNext() ? types.next() : null) {
        if (t.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) return t;
      }
      return first;
    }
    return raw;
  }

  private static long be32(byte[] b, int i) {
    return (b[i] & 0xFFL) << 24 | (b[i + 1] & 0xFFL) << 16 | (b[i + 2] & 0xFFL) << 8 | (b[i + 3] & 0xFFL);
  }
}
