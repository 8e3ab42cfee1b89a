package dev.aqlm.runtime.parallel;

import dev.aqlm.runtime.checkpoint.TensorData;
import dev.aqlm.runtime.model.AqlmLinearWeights;
import dev.aqlm.runtime.model.DenseLinearWeights;
import dev.aqlm.runtime.model.FeedForwardBlock;
import dev.aqlm.runtime.model.FeedForwardWeights;
import dev.aqlm.runtime.model.LayerWeights;
import dev.aqlm.runtime.model.LinearWeights;
import dev.aqlm.runtime.model.MixtureOfExpertsWeights;
import dev.aqlm.runtime.model.ModelWeights;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one shard's views out of a model's weights. Column-parallel (q, k, v, gate, up): output rows, with their AQLM
 * codes, per-output scales and bias; the codebooks are shared whole. Row-parallel (o, down): input columns, which for
 * AQLM are whole input groups of the codes; every output row keeps its scale, which multiplies the shard's partial
 * dot product, so the sum across shards is scale · (the full dot product) as with one shard.
 */
final class WeightSlicer {
    private final TensorParallelPlan plan;
    private final int rank;

    WeightSlicer(TensorParallelPlan plan, int rank) {
        this.plan = plan;
        this.rank = rank;
    }

    ModelShard shard(ModelWeights weights) {
        List<LayerWeights> layers = new ArrayList<>();
        int headDim = plan.config().headDim();
        TensorParallelPlan.Range queries = plan.range(plan.config().queryDim(), rank);
        int kvFrom = plan.firstKvHead(rank) * headDim;
        TensorParallelPlan.Range kv = new TensorParallelPlan.Range(kvFrom, kvFrom + plan.kvHeadsPerShard() * headDim);
        for (LayerWeights layer : weights.layers()) {
            layers.add(new LayerWeights(layer.attentionNorm(),
                    columns(layer.query(), queries), columns(layer.key(), kv), columns(layer.value(), kv),
                    inputs(layer.output(), queries), layer.feedForwardNorm(), feedForward(layer.feedForward())));
        }
        TensorParallelPlan.Range vocabulary = plan.vocabulary(rank);
        TensorData lmHead = weights.lmHead().slice(0, vocabulary.from(), vocabulary.to());
        ModelWeights sharded = new ModelWeights(plan.shardConfig(), weights.embedTokens(), layers, weights.finalNorm(),
                lmHead);
        return new ModelShard(rank, plan, sharded, vocabulary);
    }

    private FeedForwardBlock feedForward(FeedForwardBlock block) {
        if (block instanceof MixtureOfExpertsWeights moe) {
            // The router is replicated: every shard picks the same experts and weights, then runs its share of each.
            return new MixtureOfExpertsWeights(moe.router(), moe.experts().stream().map(this::mlp).toList(),
                    moe.expertsPerToken());
        }
        return mlp((FeedForwardWeights) block);
    }

    private FeedForwardWeights mlp(FeedForwardWeights mlp) {
        TensorParallelPlan.Range rows = plan.range(mlp.gate().outFeatures(), rank);
        return new FeedForwardWeights(columns(mlp.gate(), rows), columns(mlp.up(), rows), inputs(mlp.down(), rows));
    }

    /** Column-parallel: output rows [rows.from, rows.to). */
    static LinearWeights columns(LinearWeights linear, TensorParallelPlan.Range rows) {
        TensorData bias = linear.bias() == null ? null : linear.bias().slice(0, rows.from(), rows.to());
        if (linear instanceof DenseLinearWeights dense) {
            return new DenseLinearWeights(dense.name(), dense.weight().slice(0, rows.from(), rows.to()), bias);
        }
        AqlmLinearWeights aqlm = (AqlmLinearWeights) linear;
        int outAxis = aqlm.codesTransposed() ? 1 : 0;
        return new AqlmLinearWeights(aqlm.name(), aqlm.scheme(), rows.length(), aqlm.inFeatures(),
                aqlm.codes().slice(outAxis, rows.from(), rows.to()), aqlm.codebooks(),
                aqlm.scales().slice(0, rows.from(), rows.to()), bias, aqlm.codesTransposed());
    }

    /** Row-parallel: input columns [columns.from, columns.to); the bias is added once, by rank 0. */
    private LinearWeights inputs(LinearWeights linear, TensorParallelPlan.Range columns) {
        return inputs(linear, columns, rank);
    }

    static LinearWeights inputs(LinearWeights linear, TensorParallelPlan.Range columns, int rank) {
        TensorData bias = rank == 0 ? linear.bias() : null;
        if (linear instanceof DenseLinearWeights dense) {
            return new DenseLinearWeights(dense.name(), dense.weight().slice(1, columns.from(), columns.to()), bias);
        }
        AqlmLinearWeights aqlm = (AqlmLinearWeights) linear;
        int group = aqlm.scheme().inGroupSize();
        if (columns.from() % group != 0 || columns.to() % group != 0) {
            throw new TensorParallelException(aqlm.name() + ": input columns [" + columns.from() + ", " + columns.to()
                    + ") of shard " + rank + " cut an AQLM input group of " + group + "; choose another --tensor-parallel");
        }
        int groupAxis = aqlm.codesTransposed() ? 0 : 1;
        return new AqlmLinearWeights(aqlm.name(), aqlm.scheme(), aqlm.outFeatures(), columns.length(),
                aqlm.codes().slice(groupAxis, columns.from() / group, columns.to() / group), aqlm.codebooks(),
                aqlm.scales(), bias, aqlm.codesTransposed());
    }
}
