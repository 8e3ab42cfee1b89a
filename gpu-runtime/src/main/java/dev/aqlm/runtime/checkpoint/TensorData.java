package dev.aqlm.runtime.checkpoint;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * A tensor's bytes inside a mapped checkpoint file, with typed bulk reads. Reads widen to what the engine computes in:
 * floating-point tensors to fp32, integer tensors to int. Nothing is read until asked for.
 */
public final class TensorData {
    private final TensorInfo info;
    private final ByteRegion region;

    TensorData(TensorInfo info, ByteRegion region) {
        this.info = info;
        this.region = region;
    }

    public TensorInfo info() {
        return info;
    }

    public String name() {
        return info.name();
    }

    public DType dtype() {
        return info.dtype();
    }

    public long[] shape() {
        return info.shape().clone();
    }

    public long dim(int axis) {
        return info.dim(axis);
    }

    public long elementCount() {
        return info.elementCount();
    }

    public long byteLength() {
        return info.byteLength();
    }

    /** All elements widened to fp32. */
    public float[] toFloats() {
        float[] values = new float[checkedArrayLength()];
        readFloats(0, values, 0, values.length);
        return values;
    }

    /** Elements [first, first + count) widened to fp32 into {@code destination[offset...]}. */
    public void readFloats(long first, float[] destination, int offset, int count) {
        DType dtype = info.dtype();
        if (!dtype.isFloatingPoint()) {
            throw new CheckpointException(info.where() + " has dtype " + dtype + " where a floating-point tensor is expected");
        }
        int size = dtype.bytes();
        int[] next = {offset};
        region.forEachWindow(first * size, (first + count) * size, (window, at) -> {
            int n = window.remaining() / size;
            int o = next[0];
            switch (dtype) {
                case F32 -> window.asFloatBuffer().get(destination, o, n);
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        destination[o + i] = Half.halfToFloat(window.getShort(2 * i));
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < n; i++) {
                        destination[o + i] = Half.bfloat16ToFloat(window.getShort(2 * i));
                    }
                }
                default -> throw new IllegalStateException(dtype.name());
            }
            next[0] += n;
        });
    }

    /** All elements of an integer tensor as int (sign-extended, as stored). */
    public int[] toInts() {
        DType dtype = info.dtype();
        int[] values = new int[checkedArrayLength()];
        int size = dtype.bytes();
        int[] next = {0};
        region.forEachWindow(0, region.length(), (window, at) -> {
            int n = window.remaining() / size;
            int o = next[0];
            switch (dtype) {
                case I8 -> {
                    for (int i = 0; i < n; i++) {
                        values[o + i] = window.get(i);
                    }
                }
                case I16 -> {
                    for (int i = 0; i < n; i++) {
                        values[o + i] = window.getShort(2 * i);
                    }
                }
                case I32 -> window.asIntBuffer().get(values, o, n);
                case I64 -> {
                    for (int i = 0; i < n; i++) {
                        values[o + i] = Math.toIntExact(window.getLong(8 * i));
                    }
                }
                default -> throw new CheckpointException(info.where() + " has dtype " + dtype
                        + " where an integer tensor is expected");
            }
            next[0] += n;
        });
        return values;
    }

    /** Passes the raw little-endian bytes, window by window, e.g. to upload them to a device. */
    public void forEachWindow(Consumer<ByteBuffer> consumer) {
        region.forEachWindow(0, region.length(), (window, at) -> consumer.accept(window));
    }

    /** Raw bytes [from, to) of this tensor, as one little-endian window (at most 2 GB). */
    public ByteBuffer bytes(long from, long to) {
        return region.map(from, Math.toIntExact(to - from));
    }

    /**
     * A view of elements [from, to) along {@code axis}, every other axis whole: a tensor-parallel shard's rows (axis 0)
     * or input columns (the last axis). Nothing is copied; reads go through the same mapped file.
     */
    public TensorData slice(int axis, long from, long to) {
        long[] shape = info.shape();
        if (axis < 0 || axis >= shape.length || from < 0 || to > shape[axis] || from >= to) {
            throw new IllegalArgumentException(info.where() + " " + info.shapeString() + " has no slice [" + from + ", "
                    + to + ") along axis " + axis);
        }
        long inner = info.dtype().bytes();
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= shape[a];
        }
        long outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= shape[a];
        }
        long[] sliced = shape.clone();
        sliced[axis] = to - from;
        long pieceLength = (to - from) * inner;
        ByteRegion view = new StridedRegion(region, from * inner, pieceLength, shape[axis] * inner, outer);
        String name = info.name() + "[" + from + ":" + to + (axis == 0 ? "" : " on axis " + axis) + "]";
        return new TensorData(new TensorInfo(info.file(), name, info.dtype(), sliced, info.dataOffset(),
                view.length()), view);
    }

    private int checkedArrayLength() {
        long count = info.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(info.where() + " has " + count + " elements, too many for one Java array;"
                    + " read it in ranges instead");
        }
        return (int) count;
    }

    @Override
    public String toString() {
        return info.name() + " " + info.dtype() + info.shapeString();
    }
}
