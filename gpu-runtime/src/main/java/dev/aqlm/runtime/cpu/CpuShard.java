package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.engine.KvCacheShape;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.model.LayerWeights;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelWeights;
import dev.aqlm.runtime.parallel.ModelShard;
import dev.aqlm.runtime.parallel.TensorParallelPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * One tensor-parallel shard resident on the CPU: its attention heads with their own KV cache, its share of every MLP
 * (or expert), and its vocabulary rows of lm_head. Its layers write partial outputs that the backend all-reduces.
 */
final class CpuShard {
    private final List<CpuAttention> attention = new ArrayList<>();
    private final List<CpuFeedForward> feedForward = new ArrayList<>();
    private final ModelConfig config;
    /** Created by {@link #createCache} once every shard's weights are resident (so --slots auto sees the heap left). */
    private KvCache cache;
    private final CpuLmHead lmHead;
    private final TensorParallelPlan.Range vocabulary;

    /** @param embedding the fp32 embedding table, reused as lm_head when the whole tied table is this shard's */
    CpuShard(ModelShard shard, float[] embedding) {
        ModelWeights weights = shard.weights();
        ModelConfig config = weights.config();
        this.config = config;
        for (LayerWeights layer : weights.layers()) {
            attention.add(new CpuAttention(layer, config));
            feedForward.add(CpuFeedForward.of(layer.feedForward()));
        }
        this.vocabulary = shard.vocabulary();
        this.lmHead = new CpuLmHead(weights.lmHead() == weights.embedTokens() ? embedding
                : weights.lmHead().toFloats(), vocabulary.length(), config.hiddenSize(), AqlmKernels.best());
    }

    /** This shard's cache dimensions: its own key/value heads. */
    KvCacheShape cacheShape() {
        return KvCacheShape.of(config);
    }

    /** Allocates this shard's KV cache, of the shard's KV width, in {@code format}. */
    void createCache(int slots, int contextLength, KvCacheFormat format) {
        this.cache = format.quantized()
                ? new QuantizedKvCache(config.layerCount(), slots, contextLength, config.kvDim(), config.headDim(),
                        format)
                : new FullPrecisionKvCache(config.layerCount(), slots, contextLength, config.kvDim(),
                        config.headDim());
    }

    /** Before a forward pass: each chunk's positions from its start on are written again. */
    void rewind(List<SequenceChunk> chunks) {
        for (SequenceChunk chunk : chunks) {
            cache.rewind(chunk.slot(), chunk.startPosition());
        }
    }

    /** After a forward pass has gone through every layer. */
    void commit(List<SequenceChunk> chunks) {
        for (SequenceChunk chunk : chunks) {
            cache.commit(chunk.slot(), chunk.startPosition(), chunk.endPosition());
        }
    }

    /** This shard's heads of a layer's attention: its partial o_proj output into out[rows][hidden]. */
    void attention(int layer, float[] normed, float[] out, BatchRows rows, RotaryEmbedding rope, ParallelLoops loops) {
        attention.get(layer).apply(normed, out, rows, cache, layer, rope, loops);
    }

    /** This shard's rows of a layer's MLP (or of each expert): its partial down_proj output into out[rows][hidden]. */
    void feedForward(int layer, float[] normed, float[] out, int rows, ParallelLoops loops) {
        feedForward.get(layer).apply(normed, out, rows, loops);
    }

    /** Writes this shard's vocabulary columns of logits[rows][vocab] for input[rows][hidden]. */
    void logits(float[] input, int rows, float[] logits, int vocab, ParallelLoops loops) {
        if (vocabulary.length() == vocab) {
            lmHead.apply(input, logits, rows, loops);
            return;
        }
        float[] part = new float[rows * vocabulary.length()];
        lmHead.apply(input, part, rows, loops);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(part, r * vocabulary.length(), logits, r * vocab + vocabulary.from(), vocabulary.length());
        }
    }
}
