package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.AqlmLinearWeights;

/**
 * AQLM with large codebooks (1x16 and anything over 8 bits): each weight group is decoded once, by summing the chosen
 * codebook rows, and applied to every input row of the batch. The codebook (2 MiB in fp32 for 1x16g8) is gathered
 * from cache; the weights are never expanded to a dense matrix.
 */
final class AqlmGatherLinear extends AqlmCpuLinear {
    private static final int ROW_BLOCK = 16;

    AqlmGatherLinear(AqlmLinearWeights weights) {
        super(weights);
    }

    @Override
    public void apply(float[] input, float[] output, int rows, ParallelLoops loops) {
        loops.forRange(out, (long) rows * in * books, (fromRow, toRow) -> {
            float[] decoded = new float[groupSize];
            float[] sums = new float[ROW_BLOCK];
            for (int first = 0; first < rows; first += ROW_BLOCK) {
                int count = Math.min(ROW_BLOCK, rows - first);
                for (int o = fromRow; o < toRow; o++) {
                    java.util.Arrays.fill(sums, 0f);
                    for (int g = 0; g < groups; g++) {
                        // One codebook (1x16): dot with the codebook row in place; several: sum the rows first.
                        float[] vector = books == 1 ? codebooks : decoded;
                        int at = books == 1 ? indices.get(o * groups + g) * groupSize : 0;
                        if (books > 1) {
                            decodeGroup(o, g, decoded);
                        }
                        for (int r = 0; r < count; r++) {
                            sums[r] += VectorMath.dot(vector, at, input, (first + r) * in + g * groupSize, groupSize);
                        }
                    }
                    for (int r = 0; r < count; r++) {
                        output[(first + r) * out + o] = sums[r] * scales[o];
                    }
                }
            }
        });
        CpuLinear.addBias(bias, output, rows, out);
    }

    /** decoded = Σ_c codebook[c][code(o, g, c)]. */
    private void decodeGroup(int o, int g, float[] decoded) {
        int codeAt = (o * groups + g) * books;
        int first = indices.get(codeAt) * groupSize;
        System.arraycopy(codebooks, first, decoded, 0, groupSize);
        for (int c = 1; c < books; c++) {
            int at = (c * entries + indices.get(codeAt + c)) * groupSize;
            for (int j = 0; j < groupSize; j++) {
                decoded[j] += codebooks[at + j];
            }
        }
    }
}
