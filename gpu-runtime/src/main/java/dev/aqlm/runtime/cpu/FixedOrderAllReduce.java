package dev.aqlm.runtime.cpu;

/**
 * The tensor-parallel all-reduce of the CPU backend: the shards' partial outputs of a row-parallel layer summed into
 * the residual stream. Shards are always added in rank order (p0 + p1 + ... + pN-1, then added to the residual), so a
 * result never depends on timing, and the CUDA backend's all-reduce kernel sums in the same order.
 */
final class FixedOrderAllReduce {
    private FixedOrderAllReduce() {
    }

    /** residual[i] += Σ_shard partials[shard][i] for i in [0, length), shards summed in rank order. */
    static void addSum(float[][] partials, float[] residual, int length) {
        for (int i = 0; i < length; i++) {
            float sum = partials[0][i];
            for (int shard = 1; shard < partials.length; shard++) {
                sum += partials[shard][i];
            }
            residual[i] += sum;
        }
    }
}
