package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.TensorData;

/** One decoder layer: pre-norm attention then pre-norm feed-forward, each added to the residual stream. */
public record LayerWeights(TensorData attentionNorm, LinearWeights query, LinearWeights key, LinearWeights value,
                           LinearWeights output, TensorData feedForwardNorm, FeedForwardBlock feedForward) {
}
