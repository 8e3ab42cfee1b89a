package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.AqlmLinearWeights;

/** What both CPU AQLM algorithms keep resident besides their codes: fp32 codebooks, scales and bias. */
abstract class AqlmCpuLinear implements CpuLinear {
    protected final int out;
    protected final int in;
    protected final int groupSize;
    protected final int groups;
    protected final int books;
    protected final int entries;
    protected final float[] codebooks; // [C][K][G]
    protected final float[] scales;
    protected final float[] bias;
    protected final AqlmKernels kernels;

    AqlmCpuLinear(AqlmLinearWeights weights, AqlmKernels kernels) {
        this.out = weights.outFeatures();
        this.in = weights.inFeatures();
        this.groupSize = weights.scheme().inGroupSize();
        this.groups = weights.groupCount();
        this.books = weights.scheme().codebookCount();
        this.entries = weights.scheme().codebookSize();
        this.codebooks = weights.codebooks().toFloats();
        this.scales = weights.scales().toFloats();
        this.bias = weights.bias() == null ? null : weights.bias().toFloats();
        this.kernels = kernels;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public int inFeatures() {
        return in;
    }
}
