package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.FeedForwardBlock;
import dev.aqlm.runtime.model.FeedForwardWeights;
import dev.aqlm.runtime.model.MixtureOfExpertsWeights;

/** The feed-forward half of a layer on the CPU: out[rows][hidden] from normed[rows][hidden]. */
interface CpuFeedForward {
    void apply(float[] normed, float[] out, int rows, ParallelLoops loops);

    static CpuFeedForward of(FeedForwardBlock block) {
        return block instanceof MixtureOfExpertsWeights moe
                ? new CpuMixtureOfExperts(moe)
                : new CpuSwiGlu((FeedForwardWeights) block);
    }
}
