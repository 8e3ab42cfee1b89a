package dev.aqlm.runtime.cpu;

/**
 * lm_head, fp32, on the kernels' vector dot product: the same class for dense and AQLM models, so that neither gets a
 * faster output layer than the other. In an AQLM model it is the one dense matrix left (32 MB of 56 at the mid shape,
 * 0.5 GB of a Llama-2-7B step), and the scalar four-accumulator dot of {@link DenseLinear} made it half of a 2x8 decode
 * step; the vector dot streams the matrix at memory speed.
 */
final class CpuLmHead implements CpuLinear {
    /** Vocabulary rows per task: 64 KiB of weights at hidden 1024, enough to hide the fork. */
    private static final int ROW_BLOCK = 16;

    private final float[] weight; // [vocab][hidden]
    private final int vocab;
    private final int hidden;
    private final AqlmKernels kernels;

    CpuLmHead(float[] weight, int vocab, int hidden, AqlmKernels kernels) {
        this.weight = weight;
        this.vocab = vocab;
        this.hidden = hidden;
        this.kernels = kernels;
    }

    @Override
    public int outFeatures() {
        return vocab;
    }

    @Override
    public int inFeatures() {
        return hidden;
    }

    @Override
    public void apply(float[] input, float[] output, int rows, ParallelLoops loops) {
        int blocks = (vocab + ROW_BLOCK - 1) / ROW_BLOCK;
        loops.forRange(blocks, (long) ROW_BLOCK * hidden * rows, (fromBlock, toBlock) -> {
            for (int block = fromBlock; block < toBlock; block++) {
                int end = Math.min(vocab, (block + 1) * ROW_BLOCK);
                for (int r = 0; r < rows; r++) {
                    for (int v = block * ROW_BLOCK; v < end; v++) {
                        output[r * vocab + v] = kernels.rowDot(weight, v * hidden, input, r * hidden, hidden);
                    }
                }
            }
        });
    }
}
