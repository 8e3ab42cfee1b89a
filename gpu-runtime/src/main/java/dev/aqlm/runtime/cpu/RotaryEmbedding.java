package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.RopeConfig;

/**
 * RoPE in the Llama (rotate-half) layout: dimension i is paired with i + headDim/2. Angles are tabulated per position
 * once; they are computed in double and rounded, as transformers computes them in fp32 before casting.
 */
final class RotaryEmbedding {
    private final int half;
    private final float[] cos;
    private final float[] sin;

    RotaryEmbedding(RopeConfig rope, int headDim, int positions) {
        this.half = headDim / 2;
        double[] inverse = rope.inverseFrequencies(headDim);
        this.cos = new float[positions * half];
        this.sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * inverse[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    /** Rotates {@code heads} consecutive head vectors starting at v[offset] to the given position. */
    void rotate(float[] v, int offset, int heads, int position) {
        int table = position * half;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * 2 * half;
            for (int i = 0; i < half; i++) {
                float x1 = v[base + i];
                float x2 = v[base + half + i];
                float c = cos[table + i];
                float s = sin[table + i];
                v[base + i] = x1 * c - x2 * s;
                v[base + half + i] = x2 * c + x1 * s;
            }
        }
    }
}
