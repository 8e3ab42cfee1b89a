package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.errors.AqlmException;

/**
 * The static key/value cache: per layer, [slot][position][kvHeads · headDim] in fp32, allocated once. A slot belongs to
 * one sequence at a time; positions past a sequence's length hold stale values that attention never reads.
 */
final class KvCache {
    private final int slots;
    private final int context;
    private final int kvDim;
    private final float[][] keys;
    private final float[][] values;

    KvCache(int layers, int slots, int context, int kvDim) {
        long perLayer = (long) slots * context * kvDim;
        long totalBytes = perLayer * layers * 2 * Float.BYTES;
        if (perLayer > Integer.MAX_VALUE - 8 || totalBytes > Runtime.getRuntime().maxMemory()) {
            throw new AqlmException(String.format("the CPU KV cache for %d slots x %d positions needs %.1f GiB"
                    + " (the JVM may use %.1f GiB); lower --slots or --context-length", slots, context,
                    totalBytes / 0x1p30, Runtime.getRuntime().maxMemory() / 0x1p30));
        }
        this.slots = slots;
        this.context = context;
        this.kvDim = kvDim;
        this.keys = new float[layers][(int) perLayer];
        this.values = new float[layers][(int) perLayer];
    }

    int slots() {
        return slots;
    }

    int context() {
        return context;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Offset of (slot, position) in a layer's key or value array. */
    int offset(int slot, int position) {
        return (slot * context + position) * kvDim;
    }
}
