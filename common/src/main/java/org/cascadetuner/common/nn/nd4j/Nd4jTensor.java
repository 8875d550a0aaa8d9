package org.cascadetuner.common.nn.nd4j;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.cascadetuner.common.nn.Backend;
import org.cascadetuner.common.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A handle on an {@link INDArray} (the array itself or a view of it). All handles on one allocation share a
 * {@link Storage} that counts them; the root array is closed when the last handle is. ND4J marks some views (e.g. a
 * permute) as closeable, and closing those would free the shared buffer: only the root is ever closed.
 */
final class Nd4jTensor implements Tensor {

  /** One native allocation and the number of open handles on it. */
  static final class Storage {
    /** Open storages and their bytes in this JVM (the memory test and the memory plan read them). */
    static final AtomicLong LIVE_COUNT = new AtomicLong();
    static final AtomicLong LIVE_BYTES = new AtomicLong();

    /** With -Dcascadetuner.trackTensors=true, where each open storage was allocated (to find a missing close). */
    static final java.util.Map<Storage, Throwable> TRACKED = Boolean.getBoolean("cascadetuner.trackTensors")
        ? new java.util.concurrent.ConcurrentHashMap<>() : null;

    final INDArray root;
    final AtomicInteger handles = new AtomicInteger();
    private final long bytes;

    Storage(INDArray root) {
      this.root = root;
      this.bytes = root.length() * root.data().getElementSize();
      LIVE_COUNT.incrementAndGet();
      LIVE_BYTES.addAndGet(bytes);
      if (TRACKED != null) TRACKED.put(this, new Throwable("allocated " + java.util.Arrays.toString(root.shape())));
    }

    void release() {
      if (handles.decrementAndGet() == 0) {
        if (TRACKED != null) TRACKED.remove(this);
        LIVE_COUNT.decrementAndGet();
        LIVE_BYTES.addAndGet(-bytes);
        if (root.closeable()) root.close();
      }
    }
  }

  private final Nd4jBackend backend;
  final INDArray array;
  final Storage storage;
  private boolean closed;

  private Nd4jTensor(Nd4jBackend backend, INDArray array, Storage storage) {
    this.backend = backend;
    this.array = array;
    this.storage = storage;
    storage.handles.incrementAndGet();
  }

  /** A tensor owning a freshly allocated array. */
  static Nd4jTensor owning(Nd4jBackend backend, INDArray root) {
    return new Nd4jTensor(backend, root, new Storage(root));
  }

  /** A handle on {@code view}, which shares this tensor's allocation. */
  Nd4jTensor view(INDArray view) {
    return new Nd4jTensor(backend, view, storage);
  }

  @Override
  public long[] shape() {
    return array.shape().clone(); // ND4J may hand out its own shape array
  }

  @Override
  public Backend backend() {
    return backend;
  }

  @Override
  public Tensor retain() {
    checkOpen();
    return view(array);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    storage.release();
  }

  void checkOpen() {
    if (closed) throw new IllegalStateException("tensor " + Tensor.describe(shape()) + " used after close()");
  }

  @Override
  public String toString() {
    return "Tensor" + Tensor.describe(shape()) + (closed ? " (closed)" : "");
  }
}
