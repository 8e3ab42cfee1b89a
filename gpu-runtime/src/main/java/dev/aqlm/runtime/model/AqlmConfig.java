package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.CheckpointException;
import java.util.List;

/**
 * An AQLM quantization scheme: each group of {@code inGroupSize} consecutive inputs of an output row is the sum of
 * {@code codebookCount} codebook vectors, each chosen by an {@code bitsPerCodebook}-bit code, times the row's scale.
 * "2x8" is two 8-bit codebooks, "1x16" one 16-bit codebook.
 */
public record AqlmConfig(int codebookCount, int bitsPerCodebook, int inGroupSize, int outGroupSize,
                         List<String> weightsNotQuantized) {

    /**
     * Fails, naming {@code at} (a config.json block, an option), for a scheme aqlm-spark cannot run: the loader and
     * the synthetic writer accept exactly the same schemes.
     */
    public AqlmConfig requireSupported(String at) {
        if (outGroupSize != 1) {
            throw new CheckpointException(at + ": out_group_size " + outGroupSize
                    + " is not supported (only 1, which every published AQLM model uses)");
        }
        if (bitsPerCodebook < 1 || bitsPerCodebook > 16) {
            throw new CheckpointException(at + ": nbits_per_codebook " + bitsPerCodebook + " is not supported (1 to 16)");
        }
        if (inGroupSize != 8 && inGroupSize != 16 && inGroupSize != 32) {
            throw new CheckpointException(at + ": in_group_size " + inGroupSize + " is not supported (8, 16 or 32)");
        }
        if (codebookCount < 1) {
            throw new CheckpointException(at + ": num_codebooks " + codebookCount + " must be at least 1");
        }
        return this;
    }

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
