package org.cascadetuner.common.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;

/**
 * A checkpoint split over several safetensors files with a {@code *.safetensors.index.json} (Hugging Face layout:
 * {@code {"metadata": {"total_size": N}, "weight_map": {tensor: file}}}). Presents the shards as one source.
 */
public final class ShardedSafeTensors implements TensorSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, SafeTensors> byTensor;
  private final List<SafeTensors> shards;
  private final Map<String, String> metadata;

  private ShardedSafeTensors(Map<String, SafeTensors> byTensor, List<SafeTensors> shards, Map<String, String> meta) {
    this.byTensor = byTensor;
    this.shards = shards;
    this.metadata = meta;
  }

  public static ShardedSafeTensors open(String indexUri, Configuration conf) {
    JsonNode index;
    try {
      index = JSON.readTree(Storage.readAll(indexUri, conf));
    } catch (IOException e) {
      throw new UncheckedIOException(indexUri + ": not valid JSON: " + e.getMessage(), e);
    }
    JsonNode map = index.path("weight_map");
    if (!map.isObject() || map.isEmpty()) {
      throw new IllegalArgumentException(indexUri + ": no 'weight_map' object; expected a *.safetensors.index.json");
    }
    String dir = indexUri.substring(0, Math.max(0, indexUri.lastIndexOf('/')));
    Map<String, SafeTensors> files = new LinkedHashMap<>();
    Map<String, SafeTensors> byTensor = new LinkedHashMap<>();
    try {
      for (var it = map.fields(); it.hasNext(); ) {
        var e = it.next();
        String file = e.getValue().asText();
        SafeTensors shard = files.computeIfAbsent(file,
            f -> SafeTensors.open(dir.isEmpty() ? f : Storage.resolve(dir, f), conf));
        if (!shard.contains(e.getKey())) {
          throw new IllegalArgumentException(indexUri + ": index maps '" + e.getKey() + "' to " + file
              + ", which does not hold it");
        }
        byTensor.put(e.getKey(), shard);
      }
    } catch (RuntimeException e) {
      files.values().forEach(SafeTensors::close);
      throw e;
    }
    Map<String, String> meta = new LinkedHashMap<>();
    index.path("metadata").fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
    return new ShardedSafeTensors(Collections.unmodifiableMap(byTensor), new ArrayList<>(files.values()),
        Collections.unmodifiableMap(meta));
  }

  @Override
  public Set<String> names() {
    return byTensor.keySet();
  }

  private SafeTensors shard(String name) {
    SafeTensors s = byTensor.get(name);
    if (s == null) throw new IllegalArgumentException("sharded checkpoint has no tensor named '" + name + "'");
    return s;
  }

  @Override
  public TensorInfo info(String name) {
    return shard(name).info(name);
  }

  @Override
  public ByteBuffer bytes(String name) {
    return shard(name).bytes(name);
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public void close() {
    shards.forEach(SafeTensors::close);
  }

  /**
   * Writes tensors as shards of at most {@code maxShardBytes} (a single larger tensor gets a shard of its own) named
   * {@code <prefix>-00001-of-0000N.safetensors} plus {@code <prefix>.safetensors.index.json} in {@code dir}; with one
   * shard, writes just {@code <prefix>.safetensors}. Returns the file names written.
   */
  public static List<String> write(String dir, String prefix, List<NamedWriter> tensors, long maxShardBytes,
      Map<String, String> metadata, Configuration conf) {
    List<List<NamedWriter>> groups = new ArrayList<>();
    List<NamedWriter> cur = new ArrayList<>();
    long curBytes = 0;
    for (NamedWriter t : tensors) {
      if (!cur.isEmpty() && curBytes + t.bytes() > maxShardBytes) {
        groups.add(cur);
        cur = new ArrayList<>();
        curBytes = 0;
      }
      cur.add(t);
      curBytes += t.bytes();
    }
    if (!cur.isEmpty()) groups.add(cur);
    List<String> written = new ArrayList<>();
    if (groups.size() <= 1) {
      SafeTensorsWriter w = new SafeTensorsWriter();
      metadata.forEach(w::metadata);
      tensors.forEach(t -> t.addTo().accept(w));
      String name = prefix + ".safetensors";
      w.write(Storage.resolve(dir, name), conf);
      written.add(name);
      return written;
    }
    Map<String, String> weightMap = new TreeMap<>();
    long total = 0;
    for (int i = 0; i < groups.size(); i++) {
      String name = String.format("%s-%05d-of-%05d.safetensors", prefix, i + 1, groups.size());
      SafeTensorsWriter w = new SafeTensorsWriter();
      metadata.forEach(w::metadata);
      for (NamedWriter t : groups.get(i)) {
        t.addTo().accept(w);
        weightMap.put(t.name(), name);
        total += t.bytes();
      }
      w.write(Storage.resolve(dir, name), conf);
      written.add(name);
    }
    ObjectNode index = JSON.createObjectNode();
    index.putObject("metadata").put("total_size", total);
    ObjectNode wm = index.putObject("weight_map");
    weightMap.forEach(wm::put);
    String indexName = prefix + ".safetensors.index.json";
    try (OutputStream out = Storage.create(Storage.resolve(dir, indexName), conf)) {
      out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    written.add(indexName);
    return written;
  }

  /** One tensor to be written: its name, its stored size, and how to add it to a writer. */
  public record NamedWriter(String name, long bytes, Consumer<SafeTensorsWriter> addTo) {}
}
