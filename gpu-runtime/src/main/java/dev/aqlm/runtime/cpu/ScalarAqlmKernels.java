package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.checkpoint.Half;

/** {@link AqlmKernels} in plain Java: the definition of each loop's order, and the fallback without the Vector API. */
class ScalarAqlmKernels implements AqlmKernels {
    @Override
    public void buildTable(float[] x, int xAt, float[] byDimension, int width, int groupSize, float[] table,
                           int tableAt) {
        float first = x[xAt];
        for (int e = 0; e < width; e++) {
            table[tableAt + e] = first * byDimension[e];
        }
        for (int j = 1; j < groupSize; j++) {
            float xj = x[xAt + j];
            int row = j * width;
            for (int e = 0; e < width; e++) {
                table[tableAt + e] = Math.fma(xj, byDimension[row + e], table[tableAt + e]);
            }
        }
    }

    @Override
    public void tileIndices(byte[] codes, int codesAt, int firstPair, int pairs, int entries, int[] indices) {
        for (int q = 0; q < pairs; q++) {
            int base = (firstPair + q) * entries;
            for (int l = 0; l < TILE; l++) {
                indices[q * TILE + l] = base + (codes[codesAt + q * TILE + l] & 0xFF);
            }
        }
    }

    @Override
    public void addLookups(float[] table, int tableAt, int[] indices, int pairs, float[] sums, int sumsAt) {
        for (int l = 0; l < TILE; l++) {
            float sum = sums[sumsAt + l];
            for (int q = 0; q < pairs; q++) {
                sum += table[tableAt + indices[q * TILE + l]];
            }
            sums[sumsAt + l] = sum;
        }
    }

    @Override
    public float rowDot(float[] a, int aAt, float[] b, int bAt, int n) {
        float[] lanes = new float[ROW_DOT_LANES];
        int whole = n - n % ROW_DOT_LANES;
        for (int i = 0; i < whole; i++) {
            lanes[i % ROW_DOT_LANES] = Math.fma(a[aAt + i], b[bAt + i], lanes[i % ROW_DOT_LANES]);
        }
        float sum = sumLanes(lanes);
        for (int i = whole; i < n; i++) {
            sum = Math.fma(a[aAt + i], b[bAt + i], sum);
        }
        return sum;
    }

    /** The 4 · DOT_LANES lanes added as the vector kernels add them: vectors ((0 + 1) + (2 + 3)), then lanes in order. */
    private static float sumLanes(float[] lanes) {
        float sum = 0;
        for (int l = 0; l < DOT_LANES; l++) {
            float lane = (lanes[l] + lanes[DOT_LANES + l]) + (lanes[2 * DOT_LANES + l] + lanes[3 * DOT_LANES + l]);
            sum = l == 0 ? lane : sum + lane;
        }
        return sum;
    }

    @Override
    public float gatherDot(float[] codebooks, short[] halfCodebooks, short[] codes, int codesAt, int groups,
                           int books, int entries, int groupSize, float[] x, int xAt) {
        float[] lanes = new float[4 * DOT_LANES];
        int unit = 0; // ((g · books) + c) · chunks + chunk, chunks of DOT_LANES weights
        for (int g = 0; g < groups; g++) {
            int xg = xAt + g * groupSize;
            for (int c = 0; c < books; c++) {
                int row = (c * entries + (codes[codesAt + g * books + c] & 0xFFFF)) * groupSize;
                for (int j = 0; j < groupSize; j++) {
                    if (j > 0 && j % DOT_LANES == 0) {
                        unit++;
                    }
                    int lane = (unit & 3) * DOT_LANES + j % DOT_LANES;
                    float weight = halfCodebooks != null ? Half.halfToFloat(halfCodebooks[row + j])
                            : codebooks[row + j];
                    lanes[lane] = Math.fma(weight, x[xg + j], lanes[lane]);
                }
                unit++;
            }
        }
        return sumLanes(lanes);
    }
}
