package dev.aqlm.runtime.cuda;

/**
 * Row orders of the fused linears. The query and key projections are stored with each head's rows pair-interleaved
 * (row 2i holds dimension i, row 2i+1 dimension i + headDim/2), so the two values RoPE rotates together are adjacent
 * outputs of one thread of the linear kernel, which rotates them in its epilogue and writes keys straight into the
 * cache. Queries and keys share the order, so attention scores are unchanged; values keep theirs.
 */
final class RowOrder {
    private RowOrder() {
    }

    /** source[r] = the checkpoint row stored at row r, for {@code heads} heads of {@code headDim} rows. */
    public static int[] ropePairs(int heads, int headDim) {
        int half = headDim / 2;
        int[] source = new int[heads * headDim];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                source[h * headDim + 2 * i] = h * headDim + i;
                source[h * headDim + 2 * i + 1] = h * headDim + half + i;
            }
        }
        return source;
    }

    /** The stored row of checkpoint dimension {@code d} of a head (the inverse of {@link #ropePairs}). */
    public static int storedDimension(int d, int headDim) {
        int half = headDim / 2;
        return d < half ? 2 * d : 2 * (d - half) + 1;
    }

    public static int[] identity(int rows) {
        int[] source = new int[rows];
        for (int r = 0; r < rows; r++) {
            source[r] = r;
        }
        return source;
    }
}
