package dev.aqlm.runtime.cuda;

/**
 * The sizes every attention kernel takes: query/output row stride (elements), heads, key/value heads, head size,
 * positions per cache slot, sliding window (0: none) and the score scale.
 */
record AttentionShape(long rowStride, int heads, int kvHeads, int headDim, int context, int window, float scale) {

    /** The usual scale, 1/sqrt(head_dim), rounded once to float. */
    static AttentionShape of(long rowStride, int heads, int kvHeads, int headDim, int context, int window) {
        return new AttentionShape(rowStride, heads, kvHeads, headDim, context, window,
                (float) (1.0 / Math.sqrt(headDim)));
    }
}
