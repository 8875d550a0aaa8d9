package org.cascadetuner.common.data.image;

import com.twelvemonkeys.imageio.plugins.bmp.BMPImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.tiff.TIFFImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

/**
 * One ImageIO reader per format, made on first use and reused (a reader carries native state worth keeping; the
 * JPEG one wraps libjpeg). Not thread-safe: each thread (each Spark task) owns its own. The TwelveMonkeys
 * providers are instantiated by class rather than looked up in ImageIO's registry, because that registry is
 * filled once per JVM, from the class path its first user could see, and can miss plugins that Spark adds with
 * {@code --jars}; PNG and GIF are the JDK's own readers, which the registry always has.
 */
final class ImageReaders implements AutoCloseable {
  private final EnumMap<ImageFormat, ImageReader> readers = new EnumMap<>(ImageFormat.class);

  ImageReader get(ImageFormat format) {
    return readers.computeIfAbsent(format, ImageReaders::create);
  }

  /** Drops the reader after a failure, so the next file starts from a fresh one. */
  void discard(ImageFormat format) {
    ImageReader r = readers.remove(format);
    if (r != null) r.dispose();
  }

  @Override
  public void close() {
    readers.values().forEach(ImageReader::dispose);
    readers.clear();
  }

  private static ImageReader create(ImageFormat format) {
    try {
      return switch (format) {
        case JPEG -> jpegProvider().createReaderInstance(null);
        case WEBP -> new WebPImageReaderSpi().createReaderInstance(null);
        case TIFF -> new TIFFImageReaderSpi().createReaderInstance(null);
        case BMP -> new BMPImageReaderSpi().createReaderInstance(null);
        case PNG -> jdkReader("png");
        case GIF -> jdkReader("gif");
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the " + format.code() + " image reader", e);
    }
  }

  /** TwelveMonkeys' JPEG provider finds the JDK reader it wraps when registered; register a private instance. */
  private static synchronized ImageReaderSpi jpegProvider() {
    IIORegistry registry = IIORegistry.getDefaultInstance();
    JPEGImageReaderSpi spi = registry.getServiceProviderByClass(JPEGImageReaderSpi.class);
    if (spi == null) {
      spi = new JPEGImageReaderSpi();
      registry.registerServiceProvider(spi, ImageReaderSpi.class);
    }
    return spi;
  }

  private static ImageReader jdkReader(String name) {
    for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(name); it.hasNext(); ) {
      ImageReader r = it.next();
      if (r.getClass().getName().startsWith("com.sun.imageio.")) return r;
    }
    throw new IllegalStateException("this JVM has no built-in " + name + " reader (java.desktop module missing?)");
  }
}
