package dev.aqlm.runtime.cuda;

import java.util.Arrays;

/**
 * Where each output row of a fused linear comes from. Fusing saves launches: q, k and v become one linear (rows
 * [q | k | v], q and k in RoPE pair order, see {@link RowOrder}); gate and up become one whose rows alternate
 * gate, up, so the SwiGLU epilogue finds both values of a feature in one thread.
 *
 * @param part      part[r]: which checkpoint layer row r comes from
 * @param sourceRow sourceRow[r]: its row in that layer
 */
record FusedRows(int[] part, int[] sourceRow) {

    public int rows() {
        return part.length;
    }

    public static FusedRows single(int rows) {
        return new FusedRows(new int[rows], RowOrder.identity(rows));
    }

    /** [q | k | v] with q and k pair-interleaved per head. */
    public static FusedRows queryKeyValue(int heads, int kvHeads, int headDim) {
        int q = heads * headDim;
        int kv = kvHeads * headDim;
        int[] part = new int[q + 2 * kv];
        int[] source = new int[q + 2 * kv];
        Arrays.fill(part, q, q + kv, 1);
        Arrays.fill(part, q + kv, q + 2 * kv, 2);
        System.arraycopy(RowOrder.ropePairs(heads, headDim), 0, source, 0, q);
        System.arraycopy(RowOrder.ropePairs(kvHeads, headDim), 0, source, q, kv);
        System.arraycopy(RowOrder.identity(kv), 0, source, q + kv, kv);
        return new FusedRows(part, source);
    }

    /** gate 0, up 0, gate 1, up 1, ... */
    public static FusedRows gateUp(int intermediate) {
        int[] part = new int[2 * intermediate];
        int[] source = new int[2 * intermediate];
        for (int i = 0; i < intermediate; i++) {
            part[2 * i + 1] = 1;
            source[2 * i] = i;
            source[2 * i + 1] = i;
        }
        return new FusedRows(part, source);
    }
}
