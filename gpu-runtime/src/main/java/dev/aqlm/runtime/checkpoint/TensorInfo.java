package dev.aqlm.runtime.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor entry of a safetensors header, already validated: its byte range lies inside the file and holds exactly
 * shape × dtype bytes. {@code dataOffset} is absolute within the file.
 */
public record TensorInfo(Path file, String name, DType dtype, long[] shape, long dataOffset, long byteLength) {

    public long elementCount() {
        return elementCount(shape);
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** "file.safetensors: tensor 'x'", the prefix of every message about this tensor. */
    public String where() {
        return file.getFileName() + ": tensor '" + name + "'";
    }

    static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }
}
