package dev.aqlm.runtime.cpu;

/**
 * The static key/value cache of the CPU backend: per layer and slot, the keys and values of positions a sequence has
 * processed. Attention reads it through two loops that never materialize a full-precision copy (a quantized cache
 * dequantizes inside them); the rows of the chunk being processed are read from the chunk itself where they are in
 * full precision.
 *
 * <p>What a query at position p reads depends on p alone, never on how the sequence was cut into chunks or batched:
 * positions before {@link #fullPrecisionFrom}(p) as stored (quantized), the later ones in full precision. A forward
 * pass with one chunk per slot runs {@link #rewind} per chunk; then per layer {@link #pack}, the reads,
 * {@link #append}; then {@link #commit} per chunk.
 */
interface KvCache {
    int slots();

    int context();

    /** Positions {@code start} and later of {@code slot} are about to be written again (a new or rewound sequence). */
    void rewind(int slot, int start);

    /** First position a query at {@code position} reads in full precision; 0 for a cache that is not quantized. */
    int fullPrecisionFrom(int position);

    /**
     * scores[i] = (q · key(first + i)) · scale for positions [first, end) of one KV head; positions from
     * {@code fullPrecisionFrom} on must be ones written by earlier passes.
     */
    void keyScores(int layer, int slot, int kvHead, float[] q, int qAt, float scale, int first, int end,
                   int fullPrecisionFrom, float[] scores);

    /** out[outAt + d] += Σ_i weights[i] · value(first + i)[d] for positions [first, end) of one KV head. */
    void addWeightedValues(int layer, int slot, int kvHead, float[] weights, int first, int end,
                           int fullPrecisionFrom, float[] out, int outAt);

    /**
     * Before this pass's reads: stores in quantized form what the pass's queries read quantized, from the earlier
     * passes' full-precision positions and this pass's {@code count} rows of kvDim floats from {@code rowAt}.
     */
    void pack(int layer, int slot, int start, int count, float[] keys, float[] values, int rowAt);

    /** After this pass's reads: stores the pass's rows in full precision where later queries need them so. */
    void append(int layer, int slot, int start, int count, float[] keys, float[] values, int rowAt);

    /** The pass that wrote positions [start, end) of {@code slot} has gone through every layer. */
    void commit(int slot, int start, int end);
}
