package dev.aqlm.runtime.model;

/** A SwiGLU MLP: down(silu(gate(x)) * up(x)). Mixtral's experts name these w1 (gate), w3 (up) and w2 (down). */
public record FeedForwardWeights(LinearWeights gate, LinearWeights up, LinearWeights down) implements FeedForwardBlock {
}
