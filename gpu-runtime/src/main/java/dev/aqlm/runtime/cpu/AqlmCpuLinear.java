package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.CodebookIndices;

/** What both CPU AQLM algorithms keep resident: fp32 codebooks, narrow indices, scales and bias. */
abstract class AqlmCpuLinear implements CpuLinear {
    protected final int out;
    protected final int in;
    protected final int groupSize;
    protected final int groups;
    protected final int books;
    protected final int entries;
    protected final float[] codebooks; // [C][K][G]
    protected final CodebookIndices indices; // [out][groups][C]
    protected final float[] scales;
    protected final float[] bias;

    AqlmCpuLinear(AqlmLinearWeights weights) {
        this.out = weights.outFeatures();
        this.in = weights.inFeatures();
        this.groupSize = weights.scheme().inGroupSize();
        this.groups = weights.groupCount();
        this.books = weights.scheme().codebookCount();
        this.entries = weights.scheme().codebookSize();
        this.codebooks = weights.codebooks().toFloats();
        this.indices = CodebookIndices.read(weights);
        this.scales = weights.scales().toFloats();
        this.bias = weights.bias() == null ? null : weights.bias().toFloats();
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
