package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.DenseLinearWeights;
import dev.aqlm.runtime.model.LinearWeights;

/** A linear layer resident on the CPU: output[rows][out] = input[rows][in] · Wᵀ (+ b). */
interface CpuLinear {
    int outFeatures();

    int inFeatures();

    /** Overwrites output[0, rows·out) from input[0, rows·in); each row's result does not depend on the others. */
    void apply(float[] input, float[] output, int rows, ParallelLoops loops);

    /** The CPU form of a checkpoint linear: dense in fp32, or AQLM kept as codes (never expanded to dense). */
    static CpuLinear of(LinearWeights weights) {
        return of(weights, AqlmKernels.best());
    }

    /** As {@link #of(LinearWeights)}, with AQLM's inner loops from the given kernels. */
    static CpuLinear of(LinearWeights weights, AqlmKernels kernels) {
        if (weights instanceof DenseLinearWeights dense) {
            return new DenseLinear(dense);
        }
        AqlmLinearWeights aqlm = (AqlmLinearWeights) weights;
        // Small codebooks: a per-row table of codebook·input dot products turns each weight group into C lookups.
        // A 2^16-entry codebook would make that table larger than the layer, so those gather codebook rows instead.
        return aqlm.scheme().bitsPerCodebook() <= AqlmLookupTableLinear.MAX_BITS
                ? new AqlmLookupTableLinear(aqlm, kernels)
                : new AqlmGatherLinear(aqlm, kernels);
    }

    /** Adds the bias, if any, to every row. */
    static void addBias(float[] bias, float[] output, int rows, int out) {
        if (bias == null) {
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                output[r * out + o] += bias[o];
            }
        }
    }
}
