package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.CodebookIndices;

/**
 * AQLM with small codebooks (Kx8 and narrower). For each input row a table holds the dot product of every codebook
 * entry with every input group: table[g][c][k] = codebook[c][k] · x[g]. An output is then Σ_g Σ_c table[g][c][code],
 * C lookups per group of G weights instead of G multiply-adds.
 *
 * <p>The input groups are cut into blocks whose table fits the L1 cache, and the blocks into a fixed number of pieces
 * (both set by the layer's shape, never by the thread count or the batch, so results depend on neither). A thread
 * takes a piece, builds its tables a block at a time and looks every output row's codes up in each block while it is
 * in cache, summing into the piece's own partial outputs: one fork per layer, no barrier between building and looking
 * up, no two threads writing the same value (upstream's Numba kernel races). The caller then adds the pieces' partial
 * outputs in piece order. Codes are stored in the order the lookups read them, [block][row tile][pair][row in tile]:
 * each piece reads one sequential stream (a 7B step streams 1.6 GB of codes, and strided 512-byte chunks left the
 * prefetchers idle: building indices, the first touch of the codes, took 40% of the step), and one vector of codes
 * serves a gather for a whole tile and every input row of the batch.
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
     * Table floats a pass of lookups touches for all the batch's rows: 32 KiB, an L1 data cache. Gathers from an
     * L1-resident table measured 0.23 ns per lookup, from a 256 KiB (L2) table 0.42-0.6 ns.
     */
    private static final int L1_TABLE_FLOATS = 8192;
    /** The fewest pairs per pass: below this, reloading the tile's partial sums costs more than L2 hits. */
    private static final int MIN_PAIRS_PER_PASS = 4;
    /** The calling thread's buffer of partial outputs, kept across calls (megabytes for a 7B layer at batch 8). */
    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[0]);
    /** Each working thread's table buffer, kept across calls (a batch of 8 rows' tables for a block is 256 KiB). */
    private static final ThreadLocal<float[]> TABLES = ThreadLocal.withInitial(() -> new float[0]);

    /** The codebooks transposed to [G][C·K], so that building a table is G contiguous multiply-add sweeps. */
    private final float[] codebooksByDimension;
    /** Codebook indices as unsigned bytes, [block][tile][pair in block][TILE]; rows past {@code out} are 0. */
    private final byte[] tiledCodes;
    private final int tiles;
    private final int blockGroups;
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
        this.blockGroups = Math.min(groups, Math.max(minPassGroups(), L1_TABLE_FLOATS / width));
        int wanted = Math.max(1, Math.min(MAX_PIECES, groups * books / MIN_PAIRS_PER_PIECE));
        this.groupsPerPiece = ceilToMultiple((groups + wanted - 1) / wanted, blockGroups);
        this.pieces = (groups + groupsPerPiece - 1) / groupsPerPiece;
        this.tiledCodes = inReadOrder(CodebookIndices.read(weights).bytes());
    }

    private int minPassGroups() {
        return Math.max(1, (MIN_PAIRS_PER_PASS + books - 1) / books);
    }

    private static int ceilToMultiple(int value, int step) {
        return (value + step - 1) / step * step;
    }

    /** Pair p of output row o goes to [block][tile][p - block's first pair][o mod TILE]. */
    private byte[] inReadOrder(byte[] rowMajor) {
        int pairs = groups * books;
        byte[] ordered = new byte[tiles * pairs * TILE];
        for (int g0 = 0; g0 < groups; g0 += blockGroups) {
            int firstPair = g0 * books;
            int blockPairs = Math.min(blockGroups, groups - g0) * books;
            for (int o = 0; o < out; o++) {
                int at = codesAt(firstPair, blockPairs, o / TILE) + o % TILE;
                for (int q = 0; q < blockPairs; q++) {
                    ordered[at + q * TILE] = rowMajor[o * pairs + firstPair + q];
                }
            }
        }
        return ordered;
    }

    /** Where tile t's codes for the block of pairs [firstPair, firstPair + blockPairs) start. */
    private int codesAt(int firstPair, int blockPairs, int tile) {
        return (firstPair * tiles + tile * blockPairs) * TILE;
    }

    @Override
    public void apply(float[] input, float[] output, int rows, ParallelLoops loops) {
        int padded = tiles * TILE;
        int count = Math.min(rows, ROW_BLOCK);
        float[] partials = threadBuffer(PARTIALS, pieces * count * padded);
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

    private static float[] threadBuffer(ThreadLocal<float[]> buffers, int size) {
        float[] buffer = buffers.get();
        if (buffer.length < size) {
            buffer = new float[size];
            buffers.set(buffer);
        }
        return buffer;
    }

    /**
     * sums[r][o] = Σ_p table_r[p][code(o, p)] over the piece's (group, codebook) pairs p, in p order. Each block's
     * tables are built for all rows of the batch, then looked up in passes whose table slices fit the L1 cache: one
     * pass over the block's codes for a single row, several (the codes then come from L2) for a batch.
     */
    private void lookUpPiece(int piece, float[] input, int firstRow, int count, float[] sums, int sumsAt) {
        int width = books * entries;
        int padded = tiles * TILE;
        int firstGroup = piece * groupsPerPiece;
        int endGroup = Math.min(groups, firstGroup + groupsPerPiece);
        int passGroups = Math.min(blockGroups, Math.max(minPassGroups(), L1_TABLE_FLOATS / (count * width)));
        int tableSize = blockGroups * width;
        float[] tables = threadBuffer(TABLES, count * tableSize);
        int[] indices = new int[passGroups * books * TILE];
        java.util.Arrays.fill(sums, sumsAt, sumsAt + count * padded, 0f);
        for (int g0 = firstGroup; g0 < endGroup; g0 += blockGroups) {
            int n = Math.min(blockGroups, endGroup - g0);
            for (int r = 0; r < count; r++) {
                for (int g = 0; g < n; g++) {
                    kernels.buildTable(input, (firstRow + r) * in + (g0 + g) * groupSize, codebooksByDimension,
                            width, groupSize, tables, r * tableSize + g * width);
                }
            }
            int blockPairs = n * books;
            for (int pass = 0; pass < n; pass += passGroups) {
                // Indices count pairs from the block's first, so they address the block's tables.
                int firstPair = pass * books;
                int passPairs = Math.min(passGroups, n - pass) * books;
                for (int t = 0; t < tiles; t++) {
                    kernels.tileIndices(tiledCodes, codesAt(g0 * books, blockPairs, t) + firstPair * TILE, firstPair,
                            passPairs, entries, indices);
                    for (int r = 0; r < count; r++) {
                        kernels.addLookups(tables, r * tableSize, indices, passPairs, sums,
                                sumsAt + r * padded + t * TILE);
                    }
                }
            }
        }
    }

    /** output = scale · (piece 0 + piece 1 + ...), in piece order: a short loop per piece (the JIT vectorizes it). */
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
