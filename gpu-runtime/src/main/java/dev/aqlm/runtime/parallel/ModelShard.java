package dev.aqlm.runtime.parallel;

import dev.aqlm.runtime.model.LinearWeights;
import dev.aqlm.runtime.model.MixtureOfExpertsWeights;
import dev.aqlm.runtime.model.ModelWeights;

/**
 * One tensor-parallel shard's weights: a {@link ModelWeights} whose config has the shard's head and intermediate
 * counts and whose linears are views of the checkpoint's (column-parallel ones cut by output rows, row-parallel ones
 * by input groups, bias kept by rank 0 only). Embeddings, norms and routers are whole (replicated); lm_head holds the
 * vocabulary rows [vocabulary.from, vocabulary.to). A backend hosts a shard as it hosts a model, then sums the
 * row-parallel outputs across shards and concatenates their logits.
 */
public record ModelShard(int rank, TensorParallelPlan plan, ModelWeights weights, TensorParallelPlan.Range vocabulary) {

    /** Bytes of weights this shard keeps resident (its slices plus the replicated tensors), for load logs and bench. */
    public long weightBytes() {
        long bytes = weights.linears().mapToLong(LinearWeights::weightBytes).sum()
                + weights.embedTokens().byteLength() + weights.finalNorm().byteLength();
        if (weights.lmHead() != weights.embedTokens()) { // a whole tied lm_head is the embedding table, held once
            bytes += weights.lmHead().byteLength();
        }
        for (var layer : weights.layers()) {
            bytes += layer.attentionNorm().byteLength() + layer.feedForwardNorm().byteLength();
            if (layer.feedForward() instanceof MixtureOfExpertsWeights moe) {
                bytes += moe.router().byteLength();
            }
        }
        return bytes;
    }

    /** "shard 1/2: 12.3 MiB of weights, vocabulary [256, 512)". */
    public String describe() {
        return String.format("shard %d/%d: %.1f MiB of weights, vocabulary [%d, %d)", rank, plan.size(),
                weightBytes() / 0x1p20, vocabulary.from(), vocabulary.to());
    }
}
