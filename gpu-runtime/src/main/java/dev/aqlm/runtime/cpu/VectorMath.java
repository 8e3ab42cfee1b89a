package dev.aqlm.runtime.cpu;

/** The scalar kernels of the CPU backend. Loops are written so that C2 unrolls them; sums run in fp32. */
final class VectorMath {
    private VectorMath() {
    }

    /** Σ a[aOffset + i] · b[bOffset + i] over n terms, with four independent accumulators. */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOffset + i] * b[bOffset + i];
            s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
            s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
            s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOffset + i] * b[bOffset + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** out[o..] = x[x..] · rsqrt(mean(x²) + eps) · weight, for one row of n values. */
    static void rmsNorm(float[] x, int xOffset, float[] weight, double eps, float[] out, int outOffset, int n) {
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            sumOfSquares += v * v;
        }
        float inverse = (float) (1.0 / Math.sqrt(sumOfSquares / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = weight[i] * (x[xOffset + i] * inverse);
        }
    }

    static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }

    /** In place softmax of values[offset, offset + n); returns nothing, the values become probabilities. */
    static void softmax(float[] values, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, values[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(values[offset + i] - max);
            values[offset + i] = e;
            sum += e;
        }
        float inverse = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            values[offset + i] *= inverse;
        }
    }

    /** log Σ exp(values[offset, offset + n)), computed stably in double. */
    static double logSumExp(float[] values, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, values[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(values[offset + i] - max);
        }
        return max + Math.log(sum);
    }
}
