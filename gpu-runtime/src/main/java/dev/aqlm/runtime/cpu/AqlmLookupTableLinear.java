package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.CodebookIndices;

/**
 * AQLM with small codebooks (Kx8 and narrower). For each input row a table holds the dot product of every codebook
 * entry with every input group: table[g][c][k] = codebook[c][k] · x[g]. An output is then Σ_g Σ_c table[g][c][code],
 * C lookups per group of G weights instead of G multiply-adds.
 *
 * <p>The input groups are cut into a fixed number of pieces (set by the layer's shape, never by the thread count, so
 * results do not depend on it). A thread takes a piece, builds its tables a cache-sized block of groups at a time and
 * looks every output row's codes up in each block while it is in L1, summing into the piece's own partial outputs:
 * one fork per layer, no barrier between building and looking up, no two threads writing the same value (upstream's
 * Numba kernel races). The caller then adds the pieces' partial outputs in piece order. Codes are stored in the
 * order the lookups read them, [row tile][pair][row in tile], so one vector of codes serves a gather for a whole tile
 * and every input row of the batch.
 */
final class AqlmLookupTableLinear extends AqlmCpuLinear {
    static final int MAX_BITS = 8;
    private static final int TILE = AqlmKernels.TILE;
    /** Input rows handled together: bounds the partial outputs (pieces · rows · out floats). */
    private static final int ROW_BLOCK = 8;
    /**
     * Pieces of the input groups: enough for several threads to balance, few enough that adding the partial outputs
     * (pieces · out adds per row, against pairs · out lookups) stays a few percent of the work.
     */
    private static final int MAX_PIECES = 8;
    private static final int MIN_PAIRS_PER_PIECE = 64;
    /**
     * Table floats a block of lookups touches for all the batch's rows: 32 KiB, an L1 data cache. Gathers from an
     * L1-resident table measured 0.23 ns per lookup, from a 256 KiB (L2) table 0.42-0.6 ns.
     */
    private static final int L1_TABLE_FLOATS = 8192;
    /** The fewest pairs per block: below this, reloading the tile's partial sums costs more than L2 hits. */
    private static final int MIN_PAIRS_PER_BLOCK = 4;
    /** The calling thread's buffer of partial outputs, kept across calls (megabytes for a 7B layer at batch 8). */
    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[0]);

    /** The codebooks transposed to [G][C·K], so that building a table is G contiguous multiply-add sweeps. */
    private final float[] codebooksByDimension;
    /** Codebook indices as unsigned bytes, [tile][pair][TILE]; rows past {@code out} in the last tile are 0. */
    private final byte[] tiledCodes;
    private final int tiles;
    private final int pieces;
    private final int groupsPerPiece;

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
        int wanted = Math.max(1, Math.min(MAX_PIECES, groups * books / MIN_PAIRS_PER_PIECE));
        this.groupsPerPiece = (groups + wanted - 1) / wanted;
        this.pieces = (groups + groupsPerPiece - 1) / groupsPerPiece;
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
        int padded = tiles * TILE;
        int count = Math.min(rows, ROW_BLOCK);
        float[] partials = partialBuffer(pieces * count * padded);
        for (int first = 0; first < rows; first += ROW_BLOCK) {
            int blockRows = Math.min(ROW_BLOCK, rows - first);
            int firstRow = first;
            loops.forRange(pieces, (long) blockRows * groupsPerPiece * books * padded,
                    (fromPiece, toPiece) -> {
                        for (int piece = fromPiece; piece < toPiece; piece++) {
                            lookUpPiece(piece, input, firstRow, blockRows, partials, piece * blockRows * padded);
                        }
                    });
            addPieces(partials, blockRows, output, firstRow);
        }
        CpuLinear.addBias(bias, output, rows, out);
    }

    private static float[] partialBuffer(int size) {
        float[] partials = PARTIALS.get();
        if (partials.length < size) {
            partials = new float[size];
            PARTIALS.set(partials);
        }
        return partials;
    }

    /**
     * sums[r][o] = Σ_p table_r[p][code(o, p)] over the piece's (group, codebook) pairs p, in p order. The piece's
     * groups go in blocks whose tables, for all rows of the batch, fit the L1 cache.
     */
    private void lookUpPiece(int piece, float[] input, int firstRow, int count, float[] sums, int sumsAt) {
        int width = books * entries;
        int pairs = groups * books;
        int padded = tiles * TILE;
        int firstGroup = piece * groupsPerPiece;
        int endGroup = Math.min(groups, firstGroup + groupsPerPiece);
        int blockGroups = Math.max(Math.max(1, MIN_PAIRS_PER_BLOCK / books), L1_TABLE_FLOATS / (count * width));
        int tableSize = blockGroups * width;
        float[] tables = new float[count * tableSize];
        int[] indices = new int[blockGroups * books * TILE];
        java.util.Arrays.fill(sums, sumsAt, sumsAt + count * padded, 0f);
        for (int g0 = firstGroup; g0 < endGroup; g0 += blockGroups) {
            int n = Math.min(blockGroups, endGroup - g0);
            for (int r = 0; r < count; r++) {
                for (int g = 0; g < n; g++) {
                    kernels.buildTable(input, (firstRow + r) * in + (g0 + g) * groupSize, codebooksByDimension,
                            width, groupSize, tables, r * tableSize + g * width);
                }
            }
            // Indices count pairs from the block's first, so they address the block's tables.
            int firstPair = g0 * books;
            int blockPairs = n * books;
            for (int t = 0; t < tiles; t++) {
                kernels.tileIndices(tiledCodes, (t * pairs + firstPair) * TILE, 0, blockPairs, entries, indices);
                for (int r = 0; r < count; r++) {
                    kernels.addLookups(tables, r * tableSize, indices, blockPairs, sums, sumsAt + r * padded + t * TILE);
                }
            }
        }
    }

    /** output = scale · (piece 0 + piece 1 + ...), in piece order: one short loop per piece, which the JIT vectorizes. */
    private void addPieces(float[] partials, int count, float[] output, int firstRow) {
        int padded = tiles * TILE;
        for (int r = 0; r < count; r++) {
            int at = (firstRow + r) * out;
            System.arraycopy(partials, r * padded, output, at, out);
            for (int piece = 1; piece < pieces; piece++) {
                int from = (piece * count + r) * padded;
                for (int o = 0; o < out; o++) {
                    output[at + o] += partials[from + o];
                }
            }
            for (int o = 0; o < out; o++) {
                output[at + o] *= scales[o];
            }
        }
    }
}
