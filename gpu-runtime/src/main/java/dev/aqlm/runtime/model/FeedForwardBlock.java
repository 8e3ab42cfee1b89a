package dev.aqlm.runtime.model;

/** The feed-forward half of a decoder layer: one SwiGLU MLP, or a mixture of them behind a router. */
public sealed interface FeedForwardBlock permits FeedForwardWeights, MixtureOfExpertsWeights {
}
