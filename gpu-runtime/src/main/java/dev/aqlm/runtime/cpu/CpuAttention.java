package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.LayerWeights;
import dev.aqlm.runtime.model.ModelConfig;

/**
 * Grouped-query self-attention over the static KV cache: project, rotate, store this batch's keys and values in their
 * slots, then let each row attend to its own slot's positions up to its own (within the sliding window, if any).
 */
final class CpuAttention {
    private final CpuLinear query;
    private final CpuLinear key;
    private final CpuLinear value;
    private final CpuLinear output;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int slidingWindow;
    private final float scale;

    CpuAttention(LayerWeights weights, ModelConfig config) {
        this.query = CpuLinear.of(weights.query());
        this.key = CpuLinear.of(weights.key());
        this.value = CpuLinear.of(weights.value());
        this.output = CpuLinear.of(weights.output());
        this.heads = config.headCount();
        this.kvHeads = config.kvHeadCount();
        this.headDim = config.headDim();
        this.slidingWindow = config.slidingWindow();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /**
     * out[rows][hidden] = attention of the normed rows; their keys and values go to the cache. A row reads what the
     * cache holds quantized from the cache, its slot's full-precision positions of earlier passes from the cache, and
     * its own chunk's full-precision positions, itself included, from this pass's keys and values.
     */
    void apply(float[] normed, float[] out, BatchRows rows, KvCache cache, int layer, RotaryEmbedding rope,
               ParallelLoops loops) {
        int n = rows.count;
        int queryDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        float[] q = new float[n * queryDim];
        float[] k = new float[n * kvDim];
        float[] v = new float[n * kvDim];
        query.apply(normed, q, n, loops);
        key.apply(normed, k, n, loops);
        value.apply(normed, v, n, loops);
        for (int r = 0; r < n; r++) {
            rope.rotate(q, r * queryDim, heads, rows.positions[r]);
            rope.rotate(k, r * kvDim, kvHeads, rows.positions[r]);
        }
        for (int c = 0; c < rows.chunkStart.length; c++) {
            int firstRow = rows.chunkStart[c];
            cache.pack(layer, rows.slots[firstRow], rows.positions[firstRow], chunkRows(rows, c), k, v,
                    firstRow * kvDim);
        }
        float[] attended = new float[n * queryDim];
        int groupSize = heads / kvHeads;
        loops.forRange(n * heads, (long) cache.context() * headDim / 4, (from, to) -> {
            float[] scores = new float[cache.context()];
            for (int task = from; task < to; task++) {
                int r = task / heads;
                int h = task % heads;
                int kvHead = h / groupSize;
                int slot = rows.slots[r];
                int position = rows.positions[r];
                int chunkStart = rows.chunkStartPosition[r];
                int first = slidingWindow > 0 ? Math.max(0, position - slidingWindow + 1) : 0;
                int qAt = r * queryDim + h * headDim;
                int length = position - first + 1;
                int fullPrecisionFrom = cache.fullPrecisionFrom(position);
                int cachedEnd = Math.max(first, Math.max(chunkStart, fullPrecisionFrom));
                cache.keyScores(layer, slot, kvHead, q, qAt, scale, first, cachedEnd, fullPrecisionFrom, scores);
                for (int p = cachedEnd; p <= position; p++) {
                    int at = (r - (position - p)) * kvDim + kvHead * headDim;
                    scores[p - first] = VectorMath.dot(q, qAt, k, at, headDim) * scale;
                }
                VectorMath.softmax(scores, 0, length);
                cache.addWeightedValues(layer, slot, kvHead, scores, first, cachedEnd, fullPrecisionFrom, attended,
                        qAt);
                for (int p = cachedEnd; p <= position; p++) {
                    int at = (r - (position - p)) * kvDim + kvHead * headDim;
                    float weight = scores[p - first];
                    for (int d = 0; d < headDim; d++) {
                        attended[qAt + d] += weight * v[at + d];
                    }
                }
            }
        });
        for (int c = 0; c < rows.chunkStart.length; c++) {
            int firstRow = rows.chunkStart[c];
            cache.append(layer, rows.slots[firstRow], rows.positions[firstRow], chunkRows(rows, c), k, v,
                    firstRow * kvDim);
        }
        output.apply(attended, out, n, loops);
    }

    private static int chunkRows(BatchRows rows, int chunk) {
        int next = chunk + 1 < rows.chunkStart.length ? rows.chunkStart[chunk + 1] : rows.count;
        return next - rows.chunkStart[chunk];
    }
}
