package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.DenseLinearWeights;

/** A dense fp32 matrix; rows of W are visited in blocks so a block stays in cache while every input row passes. */
final class DenseLinear implements CpuLinear {
    private static final int ROW_BLOCK = 16;

    private final int out;
    private final int in;
    private final float[] weight;
    private final float[] bias;

    DenseLinear(DenseLinearWeights weights) {
        this(weights.weight().toFloats(), weights.bias() == null ? null : weights.bias().toFloats(),
                weights.outFeatures(), weights.inFeatures());
    }

    DenseLinear(float[] weight, float[] bias, int out, int in) {
        this.weight = weight;
        this.bias = bias;
        this.out = out;
        this.in = in;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public void apply(float[] input, float[] output, int rows, ParallelLoops loops) {
        applyRows(input, output, 0, rows, loops);
    }

    /** Computes only output rows [firstRow, firstRow + rows) (lm_head runs on the rows that need logits). */
    void applyRows(float[] input, float[] output, int firstRow, int rows, ParallelLoops loops) {
        int blocks = (out + ROW_BLOCK - 1) / ROW_BLOCK;
        loops.forRange(blocks, (long) ROW_BLOCK * in * rows, (fromBlock, toBlock) -> {
            for (int block = fromBlock; block < toBlock; block++) {
                int oEnd = Math.min(out, (block + 1) * ROW_BLOCK);
                for (int r = firstRow; r < firstRow + rows; r++) {
                    for (int o = block * ROW_BLOCK; o < oEnd; o++) {
                        float sum = VectorMath.dot(weight, o * in, input, r * in, in);
                        output[r * out + o] = bias == null ? sum : sum + bias[o];
                    }
                }
            }
        });
    }

    /** One row of W (the embedding table is a DenseLinear whose rows are token vectors). */
    void copyRow(int row, float[] destination, int offset) {
        System.arraycopy(weight, row * in, destination, offset, in);
    }
}
