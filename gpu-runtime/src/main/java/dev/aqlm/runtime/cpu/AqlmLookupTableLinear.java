package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.AqlmLinearWeights;

/**
 * AQLM with small codebooks (Kx8 and narrower). For each input row a table holds the dot product of every codebook
 * entry with every input group: table[g][c][k] = codebook[c][k] · x[g]. An output is then Σ_g Σ_c table[g][c][code],
 * C lookups per group of G weights instead of G multiply-adds. The table is built in parallel over groups and the
 * outputs in parallel over rows of W, so no two threads ever write the same value (upstream's Numba kernel races).
 */
final class AqlmLookupTableLinear extends AqlmCpuLinear {
    static final int MAX_BITS = 8;
    /** Input rows whose tables are built at once: bounds table memory (a 4096-input 2x8 table is 1 MiB per row). */
    private static final int ROW_BLOCK = 4;
    /** Table floats per block of lookups: 32 KiB, an L1 data cache on most x86 and Arm cores. */
    private static final int L1_TABLE_FLOATS = 8192;

    /** The codebooks transposed to [G][C·K], so that building a table is G contiguous multiply-add sweeps. */
    private final float[] codebooksByDimension;

    AqlmLookupTableLinear(AqlmLinearWeights weights) {
        super(weights);
        int width = books * entries;
        this.codebooksByDimension = new float[groupSize * width];
        for (int e = 0; e < width; e++) {
            for (int j = 0; j < groupSize; j++) {
                codebooksByDimension[j * width + e] = codebooks[e * groupSize + j];
            }
        }
    }

    @Override
    public void apply(float[] input, float[] output, int rows, ParallelLoops loops) {
        int tableSize = groups * books * entries;
        float[] tables = new float[Math.min(rows, ROW_BLOCK) * tableSize];
        for (int first = 0; first < rows; first += ROW_BLOCK) {
            int count = Math.min(ROW_BLOCK, rows - first);
            buildTables(input, first, count, tables, loops);
            lookUp(tables, tableSize, output, first, count, loops);
        }
        CpuLinear.addBias(bias, output, rows, out);
    }

    private void buildTables(float[] input, int firstRow, int count, float[] tables, ParallelLoops loops) {
        int tableSize = groups * books * entries;
        int width = books * entries;
        loops.forRange(groups, (long) count * width * groupSize, (fromGroup, toGroup) -> {
            for (int r = 0; r < count; r++) {
                int x = (firstRow + r) * in;
                for (int g = fromGroup; g < toGroup; g++) {
                    // table[g][e] = Σ_j x[g·G + j] · codebook[e][j], as G sweeps over contiguous rows of the
                    // transposed codebooks: a multiply-add loop the JIT turns into SIMD instructions.
                    int at = r * tableSize + g * width;
                    float first = input[x + g * groupSize];
                    for (int e = 0; e < width; e++) {
                        tables[at + e] = first * codebooksByDimension[e];
                    }
                    for (int j = 1; j < groupSize; j++) {
                        float xj = input[x + g * groupSize + j];
                        int row = j * width;
                        for (int e = 0; e < width; e++) {
                            tables[at + e] += xj * codebooksByDimension[row + e];
                        }
                    }
                }
            }
        });
    }

    /**
     * output[o] = scale[o] · Σ_p table[p][code(o, p)] over the (group, codebook) pairs p. Pairs are taken in blocks
     * whose slice of the table fits the L1 cache, for every output row before the next block, so the lookups hit L1
     * rather than wander a megabyte of table. Within a block even and odd pairs go to two accumulators so independent
     * loads overlap. A single input row and a block of rows add in exactly the same order, so a row's result does not
     * depend on the batch.
     */
    private void lookUp(float[] tables, int tableSize, float[] output, int firstRow, int count, ParallelLoops loops) {
        byte[] codes = indices.bytes();
        int pairs = groups * books;
        int pairsPerBlock = Math.max(2, (L1_TABLE_FLOATS / entries) & ~1);
        loops.forRange(out, (long) count * pairs, (fromRow, toRow) -> {
            int rows = toRow - fromRow;
            float[] totals = new float[count * rows];
            float[] even = new float[count];
            float[] odd = new float[count];
            for (int first = 0; first < pairs; first += pairsPerBlock) {
                int last = Math.min(pairs, first + pairsPerBlock);
                for (int o = fromRow; o < toRow; o++) {
                    int codeAt = o * pairs;
                    if (count == 1) {
                        float sumEven = 0;
                        float sumOdd = 0;
                        int p = first;
                        for (; p + 1 < last; p += 2) {
                            sumEven += tables[p * entries + (codes[codeAt + p] & 0xFF)];
                            sumOdd += tables[(p + 1) * entries + (codes[codeAt + p + 1] & 0xFF)];
                        }
                        if (p < last) {
                            sumEven += tables[p * entries + (codes[codeAt + p] & 0xFF)];
                        }
                        totals[o - fromRow] += sumEven + sumOdd;
                        continue;
                    }
                    java.util.Arrays.fill(even, 0f);
                    java.util.Arrays.fill(odd, 0f);
                    for (int p = first; p < last; p++) {
                        int at = p * entries + (codes[codeAt + p] & 0xFF);
                        float[] sums = ((p - first) & 1) == 0 ? even : odd;
                        for (int r = 0; r < count; r++) {
                            sums[r] += tables[r * tableSize + at];
                        }
                    }
                    for (int r = 0; r < count; r++) {
                        totals[r * rows + o - fromRow] += even[r] + odd[r];
                    }
                }
            }
            for (int r = 0; r < count; r++) {
                for (int o = fromRow; o < toRow; o++) {
                    output[(firstRow + r) * out + o] = totals[r * rows + o - fromRow] * scales[o];
                }
            }
        });
    }
}
