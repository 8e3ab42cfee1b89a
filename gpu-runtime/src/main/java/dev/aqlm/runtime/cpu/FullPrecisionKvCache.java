package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.errors.AqlmException;

/**
 * The 16-bit setting of the CPU cache, kept in the CPU's activation type: per layer,
 * [slot][position][kvHeads · headDim] in fp32, allocated once. A slot belongs to one sequence at a time; positions past a sequence's length hold stale
 * values that attention never reads, so rewinding needs no work.
 */
final class FullPrecisionKvCache implements KvCache {
    private final int slots;
    private final int context;
    private final int kvDim;
    private final int headDim;
    private final float[][] keys;
    private final float[][] values;

    FullPrecisionKvCache(int layers, int slots, int context, int kvDim, int headDim) {
        long perLayer = (long) slots * context * kvDim;
        long totalBytes = perLayer * layers * 2 * Float.BYTES;
        if (perLayer > Integer.MAX_VALUE - 8 || totalBytes > Runtime.getRuntime().maxMemory()) {
            throw new AqlmException(String.format("the CPU KV cache for %d slots x %d positions needs %.1f GiB"
                    + " (the JVM may use %.1f GiB); lower --slots or --context-length, or quantize it with"
                    + " --kv-cache-bits 8|4|2", slots, context, totalBytes / 0x1p30,
                    Runtime.getRuntime().maxMemory() / 0x1p30));
        }
        this.slots = slots;
        this.context = context;
        this.kvDim = kvDim;
        this.headDim = headDim;
        this.keys = new float[layers][(int) perLayer];
        this.values = new float[layers][(int) perLayer];
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public int context() {
        return context;
    }

    @Override
    public void rewind(int slot, int start) {
    }

    @Override
    public int fullPrecisionFrom(int position) {
        return 0;
    }

    @Override
    public void keyScores(int layer, int slot, int kvHead, float[] q, int qAt, float scale, int first, int end,
                          int fullPrecisionFrom, float[] scores) {
        float[] cached = keys[layer];
        for (int p = first; p < end; p++) {
            scores[p - first] = VectorMath.dot(q, qAt, cached, offset(slot, p) + kvHead * headDim, headDim) * scale;
        }
    }

    @Override
    public void addWeightedValues(int layer, int slot, int kvHead, float[] weights, int first, int end,
                                  int fullPrecisionFrom, float[] out, int outAt) {
        float[] cached = values[layer];
        for (int p = first; p < end; p++) {
            int at = offset(slot, p) + kvHead * headDim;
            float weight = weights[p - first];
            for (int d = 0; d < headDim; d++) {
                out[outAt + d] += weight * cached[at + d];
            }
        }
    }

    @Override
    public void pack(int layer, int slot, int start, int count, float[] keyRows, float[] valueRows, int rowAt) {
    }

    @Override
    public void append(int layer, int slot, int start, int count, float[] keyRows, float[] valueRows, int rowAt) {
        System.arraycopy(keyRows, rowAt, keys[layer], offset(slot, start), count * kvDim);
        System.arraycopy(valueRows, rowAt, values[layer], offset(slot, start), count * kvDim);
    }

    @Override
    public void commit(int slot, int start, int end) {
    }

    private int offset(int slot, int position) {
        return (slot * context + position) * kvDim;
    }
}
