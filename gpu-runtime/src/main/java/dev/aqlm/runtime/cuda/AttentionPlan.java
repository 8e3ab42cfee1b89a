package dev.aqlm.runtime.cuda;

/**
 * Launch parameters of the attention kernels for a context length. Decode attention splits a sequence's positions
 * into at most {@link #MAX_SPLITS} splits of a multiple of 64 positions (at least 256): long contexts get enough
 * blocks to fill the device at batch 1, short ones stay one or two splits.
 */
record AttentionPlan(int splitSize, int splits) {
    public static final int MAX_SPLITS = 32;
    public static final int DECODE_THREADS = 128;
    public static final int COMBINE_THREADS = 128;
    public static final int PREFILL_THREADS = 256;
    public static final int PREFILL_QUERIES = 64;
    public static final int PREFILL_KEYS = 64;
    /** attention.cu keeps head_dim / 32 values per lane (decode) and head_dim / 4 per thread (prefill) in registers. */
    public static final int MAX_HEAD_DIM = 128;
    public static final int MAX_GROUP = 8;

    public static AttentionPlan forContext(int context) {
        int perSplit = Math.max(256, CodeWordFormat.roundUp((context + MAX_SPLITS - 1) / MAX_SPLITS, 64));
        return new AttentionPlan(perSplit, (context + perSplit - 1) / perSplit);
    }

    /** Floats of the decode partials for {@code rows} rows: [row][head][split][max, sum, acc[headDim]]. */
    public long partialFloats(int rows, int heads, int headDim) {
        return (long) rows * heads * splits * (headDim + 2);
    }

    /** Dynamic shared memory of the prefill kernel: K and V tiles of 64 positions, then 64 x 65 scores. */
    public static int prefillSharedBytes(int headDim) {
        return 2 * PREFILL_KEYS * headDim * 2 + PREFILL_QUERIES * (PREFILL_KEYS + 1) * 4;
    }

    /** Why attention cannot run on the GPU for this shape, or null. */
    public static String unsupportedReason(int heads, int kvHeads, int headDim) {
        if (headDim > MAX_HEAD_DIM || headDim % 8 != 0) {
            return "head_dim " + headDim + " is not supported by the CUDA attention kernels (a multiple of 8, at most "
                    + MAX_HEAD_DIM + ")";
        }
        if (heads / kvHeads > MAX_GROUP) {
            return heads / kvHeads + " query heads per key/value head is not supported (at most " + MAX_GROUP + ")";
        }
        return null;
    }
}
