package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.FeedForwardWeights;

/** A SwiGLU MLP: down(silu(gate(x)) · up(x)). */
final class CpuSwiGlu implements CpuFeedForward {
    private final CpuLinear gate;
    private final CpuLinear up;
    private final CpuLinear down;

    CpuSwiGlu(FeedForwardWeights weights) {
        this.gate = CpuLinear.of(weights.gate());
        this.up = CpuLinear.of(weights.up());
        this.down = CpuLinear.of(weights.down());
    }

    @Override
    public void apply(float[] normed, float[] out, int rows, ParallelLoops loops) {
        int intermediate = gate.outFeatures();
        float[] gated = new float[rows * intermediate];
        float[] upped = new float[rows * intermediate];
        gate.apply(normed, gated, rows, loops);
        up.apply(normed, upped, rows, loops);
        for (int i = 0; i < gated.length; i++) {
            gated[i] = VectorMath.silu(gated[i]) * upped[i];
        }
        down.apply(gated, out, rows, loops);
    }
}
