package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.checkpoint.TensorData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Copies checkpoint tensors to the device in the activation type, a window of rows at a time (never a whole tensor on
 * the heap): rows already in that type are copied from the mapped file as they are, others are converted.
 */
final class WeightUploader {
    /** Bytes staged per copy. */
    private static final int WINDOW_BYTES = 8 << 20;

    private final ActivationType type;

    WeightUploader(ActivationType type) {
        this.type = type;
    }

    ActivationType type() {
        return type;
    }

    /** Uploads rows of 2-D [rows][k] tensors into {@code target} in the order {@code rows} gives. */
    void uploadRows(DeviceBuffer target, List<TensorData> parts, FusedRows rows, int k) {
        int rowBytes = 2 * k;
        int perWindow = Math.max(1, WINDOW_BYTES / rowBytes);
        ByteBuffer staging = ByteBuffer.allocateDirect(perWindow * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int first = 0; first < rows.rows(); first += perWindow) {
            int last = Math.min(rows.rows(), first + perWindow);
            for (int p = 0; p < parts.size(); p++) {
                int lowest = Integer.MAX_VALUE;
                int highest = -1;
                for (int r = first; r < last; r++) {
                    if (rows.part()[r] == p) {
                        lowest = Math.min(lowest, rows.sourceRow()[r]);
                        highest = Math.max(highest, rows.sourceRow()[r]);
                    }
                }
                if (highest < 0) {
                    continue;
                }
                ByteBuffer source = rowsInType(parts.get(p), lowest, highest + 1, k);
                for (int r = first; r < last; r++) {
                    if (rows.part()[r] == p) {
                        staging.put((r - first) * rowBytes, source, (rows.sourceRow()[r] - lowest) * rowBytes, rowBytes);
                    }
                }
            }
            target.upload(staging.duplicate().position(0).limit((last - first) * rowBytes), (long) first * rowBytes);
        }
    }

    /** Rows [from, to) of a [rows][k] tensor as little-endian values of the activation type. */
    private ByteBuffer rowsInType(TensorData tensor, int from, int to, int k) {
        long first = (long) from * k;
        long count = (long) (to - from) * k;
        if (sameType(tensor.dtype())) {
            return tensor.bytes(first * 2, (first + count) * 2);
        }
        float[] values = new float[Math.toIntExact(count)];
        tensor.readFloats(first, values, 0, values.length);
        ByteBuffer converted = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            converted.putShort(2 * i, type.encode(values[i]));
        }
        return converted;
    }

    private boolean sameType(DType dtype) {
        return (dtype == DType.F16 && type == ActivationType.F16) || (dtype == DType.BF16 && type == ActivationType.BF16);
    }

    /** A whole tensor as little-endian activation-type bytes (codebooks: a few MiB at most). */
    byte[] encode(TensorData tensor) {
        float[] values = tensor.toFloats();
        ByteBuffer out = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            out.putShort(2 * i, type.encode(values[i]));
        }
        return out.array();
    }
}
