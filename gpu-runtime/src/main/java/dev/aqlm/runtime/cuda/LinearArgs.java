package dev.aqlm.runtime.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;

/**
 * The host mirror of linear.cu's {@code struct LinearArgs}: every field is 8 bytes (an address or a 64-bit integer),
 * in declaration order, so the struct is a plain array of 64-bit slots. A unit test checks the order against the CUDA
 * source.
 */
final class LinearArgs {
    /** The fields, in the order of the CUDA struct: device pointers first, then 64-bit integers. */
    public enum Field {
        INPUT, WEIGHTS, CODEBOOKS, SCALES, BIAS, OUTPUT, RESIDUAL, IN_ROWS, OUT_ROWS, ROWS_ON_DEVICE, POSITIONS, SLOTS,
        ROPE_COS, ROPE_SIN, K_CACHE, V_CACHE,
        ROWS, N, K, IN_STRIDE, OUT_STRIDE,
        WORD_STRIDE, CODEBOOK_COUNT, CODE_BITS, GROUP_SIZE,
        CODEBOOK_SETS, SET_MODE, SET_BOUND1, SET_BOUND2, REPLICAS,
        EPILOGUE, Q_DIM, KV_DIM, HEAD_DIM, CONTEXT;

        /** Whether the struct declares this field as a pointer (every field up to V_CACHE). */
        boolean isPointer() {
            return ordinal() <= V_CACHE.ordinal();
        }
    }

    /** linear.cu's Epilogue. */
    public enum Epilogue {
        STORE(0), STORE_F32(1), ADD_RESIDUAL(2), SWIGLU(3), QKV_ROPE(4);

        final int code;

        Epilogue(int code) {
            this.code = code;
        }
    }

    private final Map<Field, Long> values = new EnumMap<>(Field.class);

    /** Sets a pointer field. */
    public LinearArgs set(Field field, DeviceAddress address) {
        if (!field.isPointer()) {
            throw new IllegalArgumentException(field + " is an integer field of LinearArgs, not a pointer");
        }
        values.put(field, address.value());
        return this;
    }

    /** Sets an integer field. */
    public LinearArgs set(Field field, long value) {
        if (field.isPointer()) {
            throw new IllegalArgumentException(field + " is a pointer field of LinearArgs; pass a DeviceAddress");
        }
        values.put(field, value);
        return this;
    }

    public LinearArgs epilogue(Epilogue epilogue) {
        return set(Field.EPILOGUE, epilogue.code);
    }

    /** Takes every field {@code other} sets (non-zero), over this one's. */
    LinearArgs overriddenBy(LinearArgs other) {
        for (Map.Entry<Field, Long> entry : other.values.entrySet()) {
            if (entry.getValue() != 0) {
                values.put(entry.getKey(), entry.getValue());
            }
        }
        return this;
    }

    public long get(Field field) {
        return values.getOrDefault(field, 0L);
    }

    /** The struct's bytes; fields never set are 0 (null pointers). */
    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(Field.values().length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Field field : Field.values()) {
            buffer.putLong(get(field));
        }
        return buffer.array();
    }
}
