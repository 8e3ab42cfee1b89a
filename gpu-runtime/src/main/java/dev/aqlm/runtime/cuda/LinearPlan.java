package dev.aqlm.runtime.cuda;

/**
 * How one linear launch runs: tile shape, grid, dynamic shared memory and how many copies of the codebooks are staged
 * in shared memory (0: gathered from L2, the 1x16 case).
 */
record LinearPlan(LinearTile tile, LaunchGeometry geometry, int replicas) {

    /** The shared-memory budget of the device the kernel runs on. */
    public record Limits(int sharedPerBlock, int sharedPerSm) {
        public static Limits of(CudaDevice device) {
            return new Limits(device.sharedMemoryPerBlock(), device.sharedMemoryPerSm());
        }
    }

    /** Copies of the codebooks tried, most first: 8 makes any 8 random reads conflict-free. */
    private static final int[] REPLICA_CHOICES = {8, 4, 2, 1};
    /** Shared memory the driver reserves per resident block (sm_80 and newer). */
    private static final int RESERVED_PER_BLOCK = 1024;

    public static LinearPlan plan(LinearShape shape, int rows, Limits limits) {
        LinearTile tile = LinearTile.forRows(rows);
        int replicas = replicas(shape, tile, limits);
        long shared = tile.sharedBytes(shape, replicas);
        if (shared > limits.sharedPerBlock()) {
            throw new IllegalStateException("linear tile needs " + shared + " bytes of shared memory, the device"
                    + " allows " + limits.sharedPerBlock());
        }
        int columns = (shape.outFeatures() + tile.outputsPerTile - 1) / tile.outputsPerTile;
        int rowTiles = (rows + tile.rowsPerTile - 1) / tile.rowsPerTile;
        return new LinearPlan(tile, new LaunchGeometry(columns, rowTiles, 1, LinearTile.THREADS, (int) shared),
                replicas);
    }

    /**
     * The most codebook copies that still let two blocks share a multiprocessor (one block streams while the other
     * decodes); failing that, the most that fit one block; 0 when even one copy does not fit.
     */
    static int replicas(LinearShape shape, LinearTile tile, Limits limits) {
        if (!shape.isAqlm()) {
            return 0;
        }
        for (int r : REPLICA_CHOICES) {
            long bytes = tile.sharedBytes(shape, r);
            if (bytes <= limits.sharedPerBlock() && 2 * (bytes + RESERVED_PER_BLOCK) <= limits.sharedPerSm()) {
                return r;
            }
        }
        for (int r : REPLICA_CHOICES) {
            if (tile.sharedBytes(shape, r) <= limits.sharedPerBlock()) {
                return r;
            }
        }
        return 0;
    }
}
