package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.TensorData;

/** The stored form of one linear layer y = W·x (+ b): dense, or AQLM codes with codebooks and scales. */
public sealed interface LinearWeights permits DenseLinearWeights, AqlmLinearWeights {
    /** The module path as the checkpoint names it, e.g. "model.layers.3.mlp.down_proj". */
    String name();

    int outFeatures();

    int inFeatures();

    /** The bias [outFeatures], or null. */
    TensorData bias();

    /** Bytes a forward pass reads from weight memory (codes, codebooks, scales, bias or the dense matrix). */
    long weightBytes();
}
