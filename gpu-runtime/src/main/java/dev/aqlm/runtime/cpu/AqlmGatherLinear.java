package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.CodebookIndices;

/**
 * AQLM with large codebooks (1x16 and anything over 8 bits): each weight group is the sum of its codebooks' chosen
 * rows, dotted with the input as it is gathered. The codebook (2 MiB in fp32 for 1x16g8) is read from cache; the
 * weights are never expanded to a dense matrix. Each row of W is applied to every input row of the batch in turn, so
 * the codebook rows it gathers are still in L1 for every row after the first.
 */
final class AqlmGatherLinear extends AqlmCpuLinear {
    private final short[] codes; // [out][groups][C], as read: row by row

    AqlmGatherLinear(AqlmLinearWeights weights, AqlmKernels kernels) {
        super(weights, kernels);
        this.codes = CodebookIndices.read(weights).shorts();
    }

    @Override
    public void apply(float[] input, float[] output, int rows, ParallelLoops loops) {
        int pairs = groups * books;
        loops.forRange(out, (long) rows * in * books, (fromRow, toRow) -> {
            for (int o = fromRow; o < toRow; o++) {
                for (int r = 0; r < rows; r++) {
                    float sum = kernels.gatherDot(codebooks, codes, o * pairs, groups, books, entries, groupSize,
                            input, r * in);
                    output[r * out + o] = sum * scales[o];
                }
            }
        });
        CpuLinear.addBias(bias, output, rows, out);
    }
}
