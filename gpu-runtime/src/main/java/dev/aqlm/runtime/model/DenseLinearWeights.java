package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.TensorData;

/** A dense linear layer: weight [out, in] in the checkpoint's float dtype. */
public record DenseLinearWeights(String name, TensorData weight, TensorData bias) implements LinearWeights {
    @Override
    public int outFeatures() {
        return (int) weight.dim(0);
    }

    @Override
    public int inFeatures() {
        return (int) weight.dim(1);
    }

    @Override
    public long weightBytes() {
        return weight.byteLength() + (bias == null ? 0 : bias.byteLength());
    }
}
