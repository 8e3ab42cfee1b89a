package dev.aqlm.runtime.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * A byte range of a file, read through read-only memory-mapped windows. Each window is under 2 GB (the limit of a Java 17
 * MappedByteBuffer) and is mapped only while a read needs it, so a checkpoint is never copied whole onto the heap.
 */
final class FileRegion implements ByteRegion {
    /** Window size: a multiple of every element size, far below Integer.MAX_VALUE. */
    static final int WINDOW_BYTES = 1 << 30;

    private final FileChannel channel;
    private final long offset;
    private final long length;

    FileRegion(FileChannel channel, long offset, long length) {
        this.channel = channel;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void forEachWindow(long from, long to, WindowConsumer consumer) {
        if (from < 0 || to > length || from > to) {
            throw new IndexOutOfBoundsException("bytes [" + from + ", " + to + ") of a region of " + length);
        }
        for (long position = from; position < to; position += WINDOW_BYTES) {
            long size = Math.min(WINDOW_BYTES, to - position);
            consumer.accept(map(position, (int) size), position);
        }
    }

    @Override
    public ByteBuffer map(long position, int size) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset + position, size).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + size + " bytes at offset " + (offset + position), e);
        }
    }
}
