package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.model.ModelConfig;

/**
 * Bytes one decode step must move through device memory at least: every weight once (codes, codebooks and scales for
 * AQLM; rows for dense; lm_head included), plus each sequence's keys and values up to its position, plus the new key
 * and value written. Activations are a rounding error at these shapes and are left out.
 */
public final class DecodeTraffic {
    private DecodeTraffic() {
    }

    /** For {@code batch} sequences whose new tokens sit at {@code position} (so position + 1 cached entries are read). */
    public static long bytesPerStep(ModelConfig config, long weightBytes, int batch, int position) {
        long perEntry = 2L * config.kvDim() * 2 * config.layerCount();
        return weightBytes + (long) batch * (position + 1) * perEntry + (long) batch * perEntry;
    }
}
