package dev.aqlm.runtime.engine;

/**
 * The uniform random number behind a sampled token: a counter-based generator (SplitMix64's finaliser over the seed and
 * the token's position), so no state is carried between steps and the CUDA sampler can compute the same number.
 */
public final class SamplingRandom {
    private SamplingRandom() {
    }

    /** A double in [0, 1) determined by (seed, position) alone. */
    public static double uniform(long seed, int position) {
        long z = seed + 0x9E3779B97F4A7C15L * (position + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1p-53;
    }

    /** A well-mixed 64-bit seed for a row of a job: stable across runs, retries and cluster layouts. */
    public static long seedFor(long jobSeed, String rowId) {
        long h = jobSeed ^ 0x5DEECE66DL;
        for (int i = 0; i < rowId.length(); i++) {
            h = (h ^ rowId.charAt(i)) * 0x100000001B3L;
        }
        h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
        return h ^ (h >>> 33);
    }
}
