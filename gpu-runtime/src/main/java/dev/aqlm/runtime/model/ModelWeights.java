package dev.aqlm.runtime.model;

import dev.aqlm.runtime.checkpoint.TensorData;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every tensor of a model, by role rather than by checkpoint name, still in the checkpoint's mapped files. Backends turn
 * this into their own resident form. Embeddings, norms, the router and lm_head are always dense.
 */
public record ModelWeights(ModelConfig config, TensorData embedTokens, List<LayerWeights> layers, TensorData finalNorm,
                           TensorData lmHead) {

    /** All linear layers, in forward order (attention, then feed-forward or each expert). */
    public Stream<LinearWeights> linears() {
        return layers.stream().flatMap(layer -> {
            Stream<LinearWeights> attention = Stream.of(layer.query(), layer.key(), layer.value(), layer.output());
            Stream<FeedForwardWeights> mlps = layer.feedForward() instanceof MixtureOfExpertsWeights moe
                    ? moe.experts().stream()
                    : Stream.of((FeedForwardWeights) layer.feedForward());
            return Stream.concat(attention, mlps.flatMap(m -> Stream.of(m.gate(), m.up(), m.down())));
        });
    }
}
