package dev.aqlm.runtime.cuda;

/** Grid, block (1-D) and dynamic shared memory of a launch. */
record LaunchGeometry(int gridX, int gridY, int gridZ, int blockX, int sharedBytes) {
    public static final int MAX_GRID_YZ = 65535;

    public LaunchGeometry {
        if (gridX < 0 || gridY < 0 || gridZ < 0 || gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ
                || blockX < 1 || blockX > 1024 || sharedBytes < 0) {
            throw new IllegalArgumentException("invalid launch geometry: grid (" + gridX + ", " + gridY + ", "
                    + gridZ + ") block " + blockX + " shared " + sharedBytes);
        }
    }

    public static LaunchGeometry rows(int rows, int threads) {
        return new LaunchGeometry(rows, 1, 1, threads, 0);
    }

    public boolean isEmpty() {
        return gridX == 0 || gridY == 0 || gridZ == 0;
    }

    @Override
    public String toString() {
        return "grid (" + gridX + ", " + gridY + ", " + gridZ + ") block " + blockX + " shared " + sharedBytes + " B";
    }
}
