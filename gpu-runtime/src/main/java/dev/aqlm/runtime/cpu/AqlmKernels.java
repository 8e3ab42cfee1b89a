package dev.aqlm.runtime.cpu;

/**
 * The inner loops of the CPU AQLM layers. Two implementations give bit-identical results: one on the Vector API,
 * used when the JVM was started with {@code --add-modules jdk.incubator.vector} (the launcher and the tests do), and a
 * scalar one for JVMs without it (for example Spark executors started without the flag). Every sum runs in a fixed
 * order that does not depend on the batch, so a row's result is the same alone or in a batch.
 */
interface AqlmKernels {
    /** Output rows whose codes are stored side by side and whose lookups one gather serves. */
    int TILE = 16;
    /** Lanes of the partial sums of a codebook-row dot product (one 256-bit vector of floats). */
    int DOT_LANES = 8;

    /** Lanes of {@link #rowDot}'s partial sums: four 256-bit vectors of floats. */
    int ROW_DOT_LANES = 4 * DOT_LANES;

    /** The fastest kernels this JVM can run. */
    static AqlmKernels best() {
        return Selected.KERNELS;
    }

    /**
     * A lookup table for one input group: table[tableAt + e] = Σ_j x[xAt + j] · byDimension[j · width + e] for
     * e &lt; width, the first product rounded alone and each further one added by a fused multiply-add, in j order.
     */
    void buildTable(float[] x, int xAt, float[] byDimension, int width, int groupSize, float[] table, int tableAt);

    /**
     * The table positions a tile of rows looks up for {@code pairs} consecutive (group, codebook) pairs:
     * indices[q · TILE + l] = (firstPair + q) · entries + (codes[codesAt + q · TILE + l] &amp; 0xFF).
     */
    void tileIndices(byte[] codes, int codesAt, int firstPair, int pairs, int entries, int[] indices);

    /** sums[sumsAt + l] += table[tableAt + indices[q · TILE + l]] for each lane l &lt; TILE, q = 0, 1, ... in turn. */
    void addLookups(float[] table, int tableAt, int[] indices, int pairs, float[] sums, int sumsAt);

    /**
     * Σ over groups g and codebooks c of codebook[c][code(g, c)] · x[g], codebook entries from {@code halfCodebooks}
     * (fp16 bits) where that is not null, else from {@code codebooks}; codes read as unsigned shorts from
     * codes[codesAt + g · books + c]. Each row is taken in chunks of 8 weights, numbered u = 0, 1, ... in
     * (g, c, chunk) order; chunk u goes by fused multiply-adds into the 8 lanes of accumulator (u mod 4). The four
     * accumulators are then added pairwise, ((0 + 1) + (2 + 3)), and the lanes in order.
     */
    float gatherDot(float[] codebooks, short[] halfCodebooks, short[] codes, int codesAt, int groups, int books,
                    int entries, int groupSize, float[] x, int xAt);

    /**
     * Σ a[aAt + i] · b[bAt + i] over i &lt; n, for lm_head's rows (the one dense layer of an AQLM model, which a dense
     * model shares). Element i of each whole block of {@link #ROW_DOT_LANES} goes by a fused multiply-add into lane
     * i mod ROW_DOT_LANES; the lanes are added as in {@link #gatherDot} (((0 + 1) + (2 + 3)) by 8 lanes, then the 8 in
     * order) and the remaining n mod ROW_DOT_LANES products are added to that, in order.
     */
    float rowDot(float[] a, int aAt, float[] b, int bAt, int n);

    /** Holds the choice, made once: loading the Vector API class fails where the module is absent. */
    final class Selected {
        static final AqlmKernels KERNELS = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                && VectorAqlmKernels.isFast() ? new VectorAqlmKernels() : new ScalarAqlmKernels();

        private Selected() {
        }
    }
}
