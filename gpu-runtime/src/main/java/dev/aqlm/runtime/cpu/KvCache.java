package dev.aqlm.runtime.cpu;

/**
 * The static key/value cache of the CPU backend: per layer and slot, the keys and values of positions a sequence has
 * already processed. Attention reads it through two loops that never materialize a full-precision copy (a quantized
 * cache dequantizes inside them); the rows of the chunk being processed are read from the chunk itself.
 *
 * <p>A forward pass over one chunk per slot runs {@link #rewind} for each chunk, then for every layer the reads and
 * {@link #append}, then {@link #commit}: a layer's append must not change what later layers of the same pass read.
 */
interface KvCache {
    int slots();

    int context();

    /** Positions {@code start} and later of {@code slot} are about to be written again (a new or rewound sequence). */
    void rewind(int slot, int start);

    /** scores[i] = (q · key(first + i)) · scale for cached positions [first, end) of one KV head. */
    void keyScores(int layer, int slot, int kvHead, float[] q, int qAt, float scale, int first, int end,
                   float[] scores);

    /** out[outAt + d] += Σ_i weights[i] · value(first + i)[d] for cached positions [first, end) of one KV head. */
    void addWeightedValues(int layer, int slot, int kvHead, float[] weights, int first, int end, float[] out,
                           int outAt);

    /** Stores {@code count} positions from {@code start} of one layer, rows of kvDim floats from {@code rowAt}. */
    void append(int layer, int slot, int start, int count, float[] keys, float[] values, int rowAt);

    /** The pass that wrote positions up to {@code end} of {@code slot} has gone through every layer. */
    void commit(int slot, int end);
}
