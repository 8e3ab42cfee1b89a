package dev.aqlm.runtime.scoring;

import dev.aqlm.runtime.engine.EngineOptions;

/**
 * The lm-eval goldens on the fp32 CPU backend: 1e-3 absolute is the fp32 engine against the float64 reference (about
 * 1e-6 per token log-probability, summed over up to 48 tokens), and is_greedy must match exactly.
 */
class CpuGoldenLoglikelihoodTest extends GoldenLoglikelihoodChecks {
    @Override
    protected EngineOptions options() {
        return EngineOptions.cpu().withSlots(4).withContextLength(64).withCpuThreads(2);
    }

    @Override
    protected double tolerance() {
        return 1e-3;
    }

    @Override
    protected boolean greedyMustMatch() {
        return true;
    }
}
