package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.SamplingParams;
import java.nio.ByteBuffer;

/** sampling.cu's SamplingRow: temperature (f64), top_p (f64), seed (i64), top_k (i32), position (i32), min_p (f64); 40 bytes. */
final class SamplingRows {
    public static final int BYTES = 40;

    private SamplingRows() {
    }

    /** Writes one row at byte {@code offset}; {@code position} is the position of the token being chosen. */
    public static void put(ByteBuffer buffer, int offset, SamplingParams params, int position) {
        buffer.putDouble(offset, params.temperature());
        buffer.putDouble(offset + 8, params.topP());
        buffer.putLong(offset + 16, params.seed());
        buffer.putInt(offset + 24, params.topK());
        buffer.putInt(offset + 28, position);
        buffer.putDouble(offset + 32, params.minP());
    }
}
