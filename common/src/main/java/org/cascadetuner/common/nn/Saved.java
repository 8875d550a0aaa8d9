package org.cascadetuner.common.nn;

/**
 * What one layer's forward keeps for its backward (llm.c's activation slots, as a typed record). A record owns the
 * tensor handles it holds (inputs are kept with {@link Tensor#retain()}) and closes them in {@link #close()}.
 */
public interface Saved extends AutoCloseable {

  /** Bytes held, for the memory plan (shared storage may be counted more than once). */
  long bytes();

  @Override
  void close();

  /** Closes every non-null tensor. */
  static void closeAll(Tensor... ts) {
    for (Tensor t : ts) if (t != null) t.close();
  }

  static long bytesOf(Tensor... ts) {
    long n = 0;
    for (Tensor t : ts) if (t != null) n += t.bytes();
    return n;
  }
}
