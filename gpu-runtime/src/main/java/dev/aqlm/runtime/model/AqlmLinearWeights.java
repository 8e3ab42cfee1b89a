package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.TensorData;

/**
 * An AQLM linear layer (out_group_size 1): W[o, g·G + j] = scales[o] · Σ_c codebooks[c, index(codes[o, g, c]), 0, j].
 *
 * @param codes           [out, in/G, C] (or [in/G, out, C] when {@code codesTransposed}), int8/int16/int32
 * @param codebooks       [C, 2^bits, 1, G] float
 * @param scales          [out, 1, 1, 1] float
 * @param codesTransposed true for the early 8x8 checkpoints whose codes have their first two axes swapped
 */
public record AqlmLinearWeights(String name, AqlmConfig scheme, int outFeatures, int inFeatures, TensorData codes,
                                TensorData codebooks, TensorData scales, TensorData bias, boolean codesTransposed)
        implements LinearWeights {

    public int groupCount() {
        return inFeatures / scheme.inGroupSize();
    }

    @Override
    public long weightBytes() {
        return codes.byteLength() + codebooks.byteLength() + scales.byteLength()
                + (bias == null ? 0 : bias.byteLength());
    }
}
