package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.CodebookIndices;

/**
 * AQLM with small codebooks (Kx8 and narrower). For each input row a table holds the dot product of every codebook
 * entry with every input group: table[g][c][k] = codebook[c][k] · x[g]. An output is then Σ_g Σ_c table[g][c][code],
 * C lookups per group of G weights instead of G multiply-adds.
 *
 * <p>Threads first build the tables together (split by input group), then look up together (split by tiles of output
 * rows): no two threads write the same value and no partial sums are reduced across threads (upstream's Numba kernel
 * races). Codes are stored in the order the lookups read them, [row tile][pair][row in tile], so one vector of codes
 * serves a gather for a whole tile and every input row of the batch.
 */
final class AqlmLookupTableLinear extends AqlmCpuLinear {
    static final int MAX_BITS = 8;
    private static final int TILE = AqlmKernels.TILE;
    /** Input rows whose tables are built at once: bounds table memory (a 4096-input 2x8 table is 1 MiB per row). */
    private static final int ROW_BLOCK = 8;
    /**
     * Table floats that one block of lookups touches for all the batch's rows: 32 KiB, an L1 data cache. Gathers from
     * an L1-resident table measured 0.23 ns per lookup, from a 256 KiB (L2) table 0.42-0.6 ns.
     */
    private static final int L1_TABLE_FLOATS = 8192;
    /** The fewest pairs per block: below this, reloading the tile's partial sums costs more than L2 hits. */
    private static final int MIN_PAIRS_PER_BLOCK = 4;
    /** Each calling thread's table buffer, kept across calls: a 7B layer's tables would otherwise be megabytes of
     * fresh, zeroed allocation for every linear of every step. */
    private static final ThreadLocal<float[]> TABLES = ThreadLocal.withInitial(() -> new float[0]);

    /** The codebooks transposed to [G][C·K], so that building a table is G contiguous multiply-add sweeps. */
    private final float[] codebooksByDimension;
    /** Codebook indices as unsigned bytes, [tile][pair][TILE]; rows past {@code out} in the last tile are 0. */
    private final byte[] tiledCodes;
    private final int tiles;

    AqlmLookupTableLinear(AqlmLinearWeights weights, AqlmKernels kernels) {
        super(weights, kernels);
        int width = books * entries;
        this.codebooksByDimension = new float[groupSize * width];
        for (int e = 0; e < width; e++) {
            for (int j = 0; j < groupSize; j++) {
                codebooksByDimension[j * width + e] = codebooks[e * groupSize + j];
            }
        }
        this.tiles = (out + TILE - 1) / TILE;
        this.tiledCodes = tile(CodebookIndices.read(weights).bytes());
    }

    private byte[] tile(byte[] rowMajor) {
        int pairs = groups * books;
        byte[] tiled = new byte[tiles * pairs * TILE];
        for (int o = 0; o < out; o++) {
            int at = (o / TILE) * pairs * TILE + o % TILE;
            for (int p = 0; p < pairs; p++) {
                tiled[at + p * TILE] = rowMajor[o * pairs + p];
            }
        }
        return tiled;
    }

    @Override
    public void apply(float[] input, float[] output, int rows, ParallelLoops loops) {
        int tableSize = groups * books * entries;
        float[] tables = tableBuffer(Math.min(rows, ROW_BLOCK) * tableSize);
        for (int first = 0; first < rows; first += ROW_BLOCK) {
            int count = Math.min(ROW_BLOCK, rows - first);
            buildTables(input, first, count, tables, loops);
            lookUp(tables, tableSize, output, first, count, loops);
        }
        CpuLinear.addBias(bias, output, rows, out);
    }

    private static float[] tableBuffer(int size) {
        float[] tables = TABLES.get();
        if (tables.length < size) {
            tables = new float[size];
            TABLES.set(tables);
        }
        return tables;
    }

    private void buildTables(float[] input, int firstRow, int count, float[] tables, ParallelLoops loops) {
        int width = books * entries;
        int tableSize = groups * width;
        // Cost in vector multiply-adds (a table entry takes G of them, 8-16 to a vector instruction).
        loops.forRange(groups, (long) count * width * groupSize / 8, (fromGroup, toGroup) -> {
            for (int r = 0; r < count; r++) {
                for (int g = fromGroup; g < toGroup; g++) {
                    kernels.buildTable(input, (firstRow + r) * in + g * groupSize, codebooksByDimension, width,
                            groupSize, tables, r * tableSize + g * width);
                }
            }
        });
    }

    /**
     * output[o] = scale[o] · Σ_p table[p][code(o, p)] over the (group, codebook) pairs p, in p order for every row:
     * a row's sum does not depend on the batch. Pairs go in blocks whose table slices, for all rows of the batch, fit
     * the L1 cache; each tile's partial sums wait in a small array between blocks.
     */
    private void lookUp(float[] tables, int tableSize, float[] output, int firstRow, int count, ParallelLoops loops) {
        int pairs = groups * books;
        int pairsPerBlock = Math.min(pairs, Math.max(MIN_PAIRS_PER_BLOCK, L1_TABLE_FLOATS / (entries * count)));
        loops.forRange(tiles, (long) count * pairs * TILE / 4, (fromTile, toTile) -> {
            int tileCount = toTile - fromTile;
            float[] sums = new float[count * tileCount * TILE]; // [row][tile][lane]
            int[] indices = new int[pairsPerBlock * TILE];
            for (int firstPair = 0; firstPair < pairs; firstPair += pairsPerBlock) {
                int blockPairs = Math.min(pairsPerBlock, pairs - firstPair);
                for (int t = fromTile; t < toTile; t++) {
                    kernels.tileIndices(tiledCodes, (t * pairs + firstPair) * TILE, firstPair, blockPairs, entries,
                            indices);
                    for (int r = 0; r < count; r++) {
                        kernels.addLookups(tables, r * tableSize, indices, blockPairs, sums,
                                (r * tileCount + t - fromTile) * TILE);
                    }
                }
            }
            for (int r = 0; r < count; r++) {
                int at = (firstRow + r) * out;
                for (int o = fromTile * TILE; o < Math.min(out, toTile * TILE); o++) {
                    output[at + o] = sums[(r * tileCount) * TILE + o - fromTile * TILE] * scales[o];
                }
            }
        });
    }
}
