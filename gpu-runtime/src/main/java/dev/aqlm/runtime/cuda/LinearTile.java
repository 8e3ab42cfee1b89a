package dev.aqlm.runtime.cuda;

/** The tile shapes of linear.cu (TileShape instantiations); the two must agree field by field. */
enum LinearTile {
    /** Decode and small batches: 16 rows x 32 outputs, k-tiles of 128, 4 stages. */
    SMALL("small", 16, 32, 128, 4),
    /** Prefill and bulk batches: 64 x 64, k-tiles of 64, 3 stages. */
    LARGE("large", 64, 64, 64, 3);

    public static final int THREADS = 128;
    /** Batches up to this many rows use SMALL (at most two row tiles re-decode the weights). */
    public static final int SMALL_MAX_ROWS = 32;

    final String suffix;
    final int rowsPerTile;
    final int outputsPerTile;
    final int kTile;
    final int stages;

    LinearTile(String suffix, int rowsPerTile, int outputsPerTile, int kTile, int stages) {
        this.suffix = suffix;
        this.rowsPerTile = rowsPerTile;
        this.outputsPerTile = outputsPerTile;
        this.kTile = kTile;
        this.stages = stages;
    }

    public static LinearTile forRows(int rows) {
        return rows <= SMALL_MAX_ROWS ? SMALL : LARGE;
    }

    /** Shared-memory row pitch in elements (k-tile + 16 bytes of padding). */
    int pitch() {
        return kTile + 8;
    }

    long inputStageBytes() {
        return (long) rowsPerTile * pitch() * 2;
    }

    long weightTileBytes() {
        return (long) outputsPerTile * pitch() * 2;
    }

    /** Pipeline stages: AQLM stages hold only code words, so it keeps twice as many in flight (linear.cu). */
    public int stages(LinearShape shape) {
        return shape.isAqlm() ? 2 * stages : stages;
    }

    /** Dynamic shared memory of one block, as linear.cu's SmemLayout computes it. */
    public long sharedBytes(LinearShape shape, int replicas) {
        int count = stages(shape);
        long inputs = count * inputStageBytes();
        if (!shape.isAqlm()) {
            return inputs + count * weightTileBytes();
        }
        CodeWordFormat codes = shape.codes();
        long codeStage = align16((long) outputsPerTile * (kTile / codes.groupSize()) * codes.wordBytes());
        return inputs + count * codeStage + weightTileBytes() + replicas * shape.codebookBytes();
    }

    private static long align16(long bytes) {
        return (bytes + 15) & ~15L;
    }
}
