package dev.aqlm.runtime.checkpoint;

import java.nio.ByteBuffer;

/**
 * The bytes behind a {@link TensorData}: a range of a mapped file, or a strided selection of one (a tensor-parallel
 * shard's rows or columns). Reads come as little-endian windows so a view never copies the checkpoint onto the heap.
 */
interface ByteRegion {
    long length();

    /** Receives consecutive little-endian windows covering [from, to) of this region, each starting at index 0. */
    void forEachWindow(long from, long to, WindowConsumer consumer);

    /** Bytes [position, position + size) as one little-endian buffer. */
    ByteBuffer map(long position, int size);

    interface WindowConsumer {
        void accept(ByteBuffer window, long regionOffset);
    }
}
