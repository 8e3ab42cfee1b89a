package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.checkpoint.Half;
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
    /**
     * The codebooks as fp16 bits when every entry is exactly an fp16 value (checkpoints store them so), else null.
     * Half the bytes: a 1x16g8 codebook (1 MiB) then fits a core's L2 cache. Gathers from 24 codebooks in turn
     * measured 6.8-7.0 ns per group of 8 weights in fp16 against 7.3-8.1 ns in fp32 (one thread, under load 11); a
     * whole model's codebooks (112 MiB in fp32 at the mid shape) come from DRAM, where half the bytes matters more.
     */
    private final short[] halfCodebooks;

    AqlmGatherLinear(AqlmLinearWeights weights, AqlmKernels kernels) {
        super(weights, kernels);
        this.codes = CodebookIndices.read(weights).shorts();
        this.halfCodebooks = exactHalves(codebooks);
    }

    private static short[] exactHalves(float[] values) {
        short[] halves = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            halves[i] = Half.floatToHalf(values[i]);
            if (!Float.isFinite(values[i])
                    || Float.floatToRawIntBits(Half.halfToFloat(halves[i])) != Float.floatToRawIntBits(values[i])) {
                return null;
            }
        }
        return halves;
    }

    @Override
    public void apply(float[] input, float[] output, int rows, ParallelLoops loops) {
        int pairs = groups * books;
        loops.forRange(out, (long) rows * in * books, (fromRow, toRow) -> {
            for (int o = fromRow; o < toRow; o++) {
                for (int r = 0; r < rows; r++) {
                    float sum = kernels.gatherDot(codebooks, halfCodebooks, codes, o * pairs, groups, books,
                            entries, groupSize, input, r * in);
                    output[r * out + o] = sum * scales[o];
                }
            }
        });
        CpuLinear.addBias(bias, output, rows, out);
    }
}
