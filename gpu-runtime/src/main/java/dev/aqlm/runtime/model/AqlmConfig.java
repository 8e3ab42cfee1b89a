package dev.aqlm.runtime.model;

import java.util.List;

/**
 * An AQLM quantization scheme: each group of {@code inGroupSize} consecutive inputs of an output row is the sum of
 * {@code codebookCount} codebook vectors, each chosen by an {@code bitsPerCodebook}-bit code, times the row's scale.
 * "2x8" is two 8-bit codebooks, "1x16" one 16-bit codebook.
 */
public record AqlmConfig(int codebookCount, int bitsPerCodebook, int inGroupSize, int outGroupSize,
                         List<String> weightsNotQuantized) {

    public int codebookSize() {
        return 1 << bitsPerCodebook;
    }

    /** The codebook index stored as two's complement in a signed integer: value &amp; (2^bits - 1). */
    public int codeMask() {
        return codebookSize() - 1;
    }

    /** The usual short name, e.g. "2x8" or "1x16g16" (the group size is named only where it is not 8). */
    public String shortName() {
        return codebookCount + "x" + bitsPerCodebook + (inGroupSize == 8 ? "" : "g" + inGroupSize);
    }

    public boolean isQuantized(String linearWeightName) {
        return !weightsNotQuantized.contains(linearWeightName);
    }
}
