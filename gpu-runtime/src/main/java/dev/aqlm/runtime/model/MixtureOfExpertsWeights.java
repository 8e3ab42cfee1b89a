package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.TensorData;
import java.util.List;

/** Mixtral's sparse MoE block: a dense router [experts, hidden] choosing the top-k SwiGLU experts per token. */
public record MixtureOfExpertsWeights(TensorData router, List<FeedForwardWeights> experts, int expertsPerToken)
        implements FeedForwardBlock {
}
