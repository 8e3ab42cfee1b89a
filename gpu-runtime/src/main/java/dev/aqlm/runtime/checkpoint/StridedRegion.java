package dev.aqlm.runtime.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Equal pieces taken at a fixed stride from a parent region, read as if they were contiguous: byte i is the parent's
 * {@code start + (i / pieceLength) · stride + i % pieceLength}. This is a slice of a row-major tensor along one axis
 * (a shard's output rows are one piece; its input columns are one piece per row). Pieces are delivered as slices of
 * parent windows spanning many pieces, so a shard of a large matrix maps a window per gigabyte, not per row.
 */
final class StridedRegion implements ByteRegion {
    private final ByteRegion parent;
    private final long start;
    private final long pieceLength;
    private final long stride;
    private final long pieces;
    private final long windowBytes;

    StridedRegion(ByteRegion parent, long start, long pieceLength, long stride, long pieces) {
        this(parent, start, pieceLength, stride, pieces, FileRegion.WINDOW_BYTES);
    }

    /** @param windowBytes the most parent bytes mapped at once (tests make it small to cross many windows) */
    StridedRegion(ByteRegion parent, long start, long pieceLength, long stride, long pieces, long windowBytes) {
        if (pieceLength <= 0 || stride < pieceLength || start + (pieces - 1) * stride + pieceLength > parent.length()) {
            throw new IllegalArgumentException("pieces of " + pieceLength + " bytes every " + stride + " from " + start
                    + " do not fit a region of " + parent.length() + " bytes");
        }
        this.parent = parent;
        this.start = start;
        this.pieceLength = pieceLength;
        this.stride = stride;
        this.pieces = pieces;
        this.windowBytes = windowBytes;
    }

    @Override
    public long length() {
        return pieceLength * pieces;
    }

    @Override
    public void forEachWindow(long from, long to, WindowConsumer consumer) {
        if (from < 0 || to > length() || from > to) {
            throw new IndexOutOfBoundsException("bytes [" + from + ", " + to + ") of a region of " + length());
        }
        long piecesPerWindow = Math.max(1, (windowBytes - pieceLength) / stride + 1);
        long position = from;
        while (position < to) {
            long firstPiece = position / pieceLength;
            long endPiece = Math.min(pieces, firstPiece + piecesPerWindow);
            long batchEnd = Math.min(to, endPiece * pieceLength);
            long parentFrom = parentOffset(position);
            long parentTo = parentOffset(batchEnd - 1) + 1;
            ByteBuffer window = parent.map(parentFrom, Math.toIntExact(parentTo - parentFrom));
            while (position < batchEnd) {
                long pieceEnd = Math.min(batchEnd, (position / pieceLength + 1) * pieceLength);
                int at = (int) (parentOffset(position) - parentFrom);
                int size = (int) (pieceEnd - position);
                consumer.accept(window.duplicate().position(at).limit(at + size).slice().order(ByteOrder.LITTLE_ENDIAN),
                        position);
                position = pieceEnd;
            }
        }
    }

    @Override
    public ByteBuffer map(long position, int size) {
        ByteBuffer copy = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        forEachWindow(position, position + size, (window, at) -> copy.put(window));
        return copy.flip();
    }

    private long parentOffset(long position) {
        return start + (position / pieceLength) * stride + position % pieceLength;
    }
}
