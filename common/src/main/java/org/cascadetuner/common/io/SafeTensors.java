package org.cascadetuner.common.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;

/**
 * Reader of one safetensors file: an 8-byte little-endian header length, a JSON header, then the raw data. Local
 * files are memory-mapped tensor by tensor (so files over 2 GB work and nothing is read twice); other file systems
 * (s3a://, hdfs://) are read with positioned reads through Hadoop.
 */
public final class SafeTensors implements TensorSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A header larger than this is not a safetensors file (the format caps it at 100 MB). */
  private static final long MAX_HEADER = 100L << 20;

  private final String location;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;
  private final long dataStart;
  private final FileChannel channel; // local files
  private final FSDataInputStream stream; // Hadoop file systems

  private SafeTensors(String location, Map<String, TensorInfo> tensors, Map<String, String> metadata,
      long dataStart, FileChannel channel, FSDataInputStream stream) {
    this.location = location;
    this.tensors = tensors;
    this.metadata = metadata;
    this.dataStart = dataStart;
    this.channel = channel;
    this.stream = stream;
  }

  public static SafeTensors open(Path file) {
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      try {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0);
        long n = checkHeaderLength(len.getLong(0), ch.size(), file.toString());
        ByteBuffer header = ByteBuffer.allocate((int) n);
        readFully(ch, header, 8);
        return parse(file.toString(), header.array(), ch.size(), ch, null);
      } catch (RuntimeException | IOException e) {
        ch.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Opens a file by URI: local paths and file:// are memory-mapped, anything else goes through Hadoop. */
  public static SafeTensors open(String uri, Configuration conf) {
    if (Storage.isLocal(uri)) return open(Storage.localPath(uri));
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
      FileSystem fs = p.getFileSystem(conf);
      long size = fs.getFileStatus(p).getLen();
      FSDataInputStream in = fs.open(p);
      try {
        byte[] len = new byte[8];
        in.readFully(0, len);
        long n = checkHeaderLength(ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong(), size, uri);
        byte[] header = new byte[(int) n];
        in.readFully(8, header);
        return parse(uri, header, size, null, in);
      } catch (RuntimeException | IOException e) {
        in.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read safetensors file " + uri + ": " + e.getMessage(), e);
    }
  }

  private static long checkHeaderLength(long n, long fileSize, String where) {
    if (n <= 0 || n > MAX_HEADER || n + 8 > fileSize) {
      throw new IllegalArgumentException(where + ": not a safetensors file (header length " + n + ", file size "
          + fileSize + ")");
    }
    return n;
  }

  private static SafeTensors parse(String where, byte[] header, long fileSize, FileChannel ch,
      FSDataInputStream in) throws IOException {
    JsonNode root = JSON.readTree(new String(header, StandardCharsets.UTF_8));
    if (root == null || !root.isObject()) throw new IllegalArgumentException(where + ": header is not a JSON object");
    long dataStart = 8L + header.length;
    long dataSize = fileSize - dataStart;
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      JsonNode v = e.getValue();
      String name = e.getKey();
      DType dtype = DType.parse(v.path("dtype").asText(), where + " tensor " + name);
      JsonNode shapeNode = v.path("shape");
      long[] shape = new long[shapeNode.size()];
      for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong();
      long begin = v.path("data_offsets").path(0).asLong(-1);
      long end = v.path("data_offsets").path(1).asLong(-1);
      TensorInfo t = new TensorInfo(name, dtype, shape, begin, end);
      if (begin < 0 || end < begin || end > dataSize || t.numel() * dtype.bytes() != end - begin) {
        throw new IllegalArgumentException(where + ": tensor " + t + " has data_offsets [" + begin + ", " + end
            + "] that do not fit its shape or the file (" + dataSize + " data bytes)");
      }
      tensors.put(name, t);
    }
    return new SafeTensors(where, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata),
        dataStart, ch, in);
  }

  private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
    while (dst.hasRemaining()) {
      int r = ch.read(dst, pos + dst.position());
      if (r < 0) throw new IOException("unexpected end of file");
    }
  }

  public String location() {
    return location;
  }

  @Override
  public Set<String> names() {
    return tensors.keySet();
  }

  @Override
  public TensorInfo info(String name) {
    TensorInfo t = tensors.get(name);
    if (t == null) throw new IllegalArgumentException(location + ": no tensor named '" + name + "'");
    return t;
  }

  @Override
  public ByteBuffer bytes(String name) {
    TensorInfo t = info(name);
    try {
      if (channel != null) {
        return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength())
            .order(ByteOrder.LITTLE_ENDIAN);
      }
      byte[] buf = new byte[Math.toIntExact(t.byteLength())];
      synchronized (stream) {
        stream.readFully(dataStart + t.begin(), buf);
      }
      return ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException(location + ": cannot read tensor " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public void close() {
    try {
      if (channel != null) channel.close();
      if (stream != null) stream.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
