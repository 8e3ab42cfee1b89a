package dev.aqlm.runtime.cpu;

import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.ChunkResult;
import dev.aqlm.runtime.engine.ChunkValidation;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.engine.KvCacheShape;
import dev.aqlm.runtime.engine.SlotCapacity;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.engine.TokenSampler;
import dev.aqlm.runtime.model.LayerWeights;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelWeights;
import dev.aqlm.runtime.parallel.ModelShard;
import dev.aqlm.runtime.parallel.TensorParallelPlan;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fp32 reference backend: every device, every format, the same answers. Dense weights are widened to fp32 once;
 * AQLM layers stay as codes and codebooks. Work is spread over a fixed pool of threads. With tensor parallelism the
 * layers run shard by shard (each a slice of heads, intermediate rows and vocabulary), and their partial outputs are
 * summed in rank order; logits of the shards' vocabulary ranges are concatenated, so sampling and scoring see the
 * full vocabulary exactly as with one shard.
 */
public final class CpuBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);

    private final ModelConfig config;
    private final ParallelLoops loops;
    private final RotaryEmbedding rope;
    private final float[] embedding;
    private final List<Norms> norms = new ArrayList<>();
    private final float[] finalNorm;
    private final List<CpuShard> shards = new ArrayList<>();
    private final int slots;
    private final int contextLength;
    private final KvCacheFormat kvCacheFormat;

    /** One decoder layer's RMSNorm weights, replicated: every shard sees the same normed input. */
    private record Norms(float[] attention, float[] feedForward) {
    }

    public CpuBackend(ModelWeights weights, int slots, int contextLength, int threads) {
        this(weights, TensorParallelPlan.single(weights.config()), slots, contextLength, threads,
                KvCacheFormat.FULL_PRECISION);
    }

    public CpuBackend(ModelWeights weights, TensorParallelPlan plan, int slots, int contextLength, int threads) {
        this(weights, plan, slots, contextLength, threads, KvCacheFormat.FULL_PRECISION);
    }

    public CpuBackend(ModelWeights weights, int slots, int contextLength, int threads, KvCacheFormat kvCache) {
        this(weights, TensorParallelPlan.single(weights.config()), slots, contextLength, threads, kvCache);
    }

    /**
     * The model split over {@code plan.size()} in-process shards (the reference for tensor-parallel math): each shard
     * keeps its own weight slices and KV cache (of its own KV width, in {@code kvCache}'s format), and their
     * row-parallel outputs meet in {@link FixedOrderAllReduce}.
     *
     * @param slots KV slots, or {@link EngineOptions#AUTO_SLOTS}: as many as the heap holds once the weights of every
     *              shard are resident (see {@link SlotCapacity}); the load log says what the cache weighs and what fits
     */
    public CpuBackend(ModelWeights weights, TensorParallelPlan plan, int slots, int contextLength, int threads,
                      KvCacheFormat kvCache) {
        this.config = weights.config();
        kvCache.requireFits(config);
        this.kvCacheFormat = kvCache;
        this.loops = new ParallelLoops(threads);
        this.embedding = weights.embedTokens().toFloats();
        for (LayerWeights layer : weights.layers()) {
            norms.add(new Norms(layer.attentionNorm().toFloats(), layer.feedForwardNorm().toFloats()));
        }
        this.finalNorm = weights.finalNorm().toFloats();
        int kvHeads = 0;
        for (ModelShard shard : plan.shards(weights)) {
            if (plan.size() > 1) {
                LOG.info("cpu {}", shard.describe());
            }
            CpuShard cpuShard = new CpuShard(shard, embedding);
            shards.add(cpuShard);
            kvHeads += cpuShard.cacheShape().kvHeads();
        }
        // Sized after every shard's weights are widened and resident: what is left of the heap is the caches'. The
        // shards' caches together hold every shard's KV heads (replicated ones counted once per shard).
        KvCacheShape shape = new KvCacheShape(config.layerCount(), kvHeads, config.headDim());
        SlotCapacity capacity = new SlotCapacity(kvCache, shape, contextLength, Float.BYTES,
                SlotCapacity.freeHeapBytes());
        int slotCount = slots == EngineOptions.AUTO_SLOTS ? capacity.autoSlots() : slots;
        LOG.info("{}", capacity.describe(slotCount));
        for (CpuShard shard : shards) {
            shard.createCache(slotCount, contextLength, kvCache);
        }
        this.slots = slotCount;
        this.contextLength = contextLength;
        this.rope = new RotaryEmbedding(config.rope(), config.headDim(), contextLength);
    }

    @Override
    public String description() {
        return "cpu (" + loops.threads() + " threads" + (shards.size() > 1 ? ", tensor-parallel " + shards.size() : "")
                + (kvCacheFormat.quantized() ? ", " + kvCacheFormat.bits() + "-bit KV" : "") + ")";
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public int slotCount() {
        return slots;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public List<ChunkResult> forward(List<SequenceChunk> chunks) {
        ChunkValidation.check(chunks, slotCount(), contextLength(), config.vocabSize());
        BatchRows rows = new BatchRows(chunks);
        for (CpuShard shard : shards) {
            shard.rewind(chunks);
        }
        int hidden = config.hiddenSize();
        float[] residual = new float[rows.count * hidden];
        for (int r = 0; r < rows.count; r++) {
            System.arraycopy(embedding, rows.tokens[r] * hidden, residual, r * hidden, hidden);
        }
        float[] normed = new float[rows.count * hidden];
        float[][] partials = new float[shards.size()][rows.count * hidden];
        for (int l = 0; l < norms.size(); l++) {
            normRows(residual, norms.get(l).attention(), normed, rows.count);
            for (int s = 0; s < shards.size(); s++) {
                shards.get(s).attention(l, normed, partials[s], rows, rope, loops);
            }
            FixedOrderAllReduce.addSum(partials, residual, residual.length);
            normRows(residual, norms.get(l).feedForward(), normed, rows.count);
            for (int s = 0; s < shards.size(); s++) {
                shards.get(s).feedForward(l, normed, partials[s], rows.count, loops);
            }
            FixedOrderAllReduce.addSum(partials, residual, residual.length);
        }
        for (CpuShard shard : shards) {
            shard.commit(chunks);
        }
        normRows(residual, finalNorm, normed, rows.count);
        List<ChunkResult> results = new ArrayList<>(chunks.size());
        for (int c = 0; c < chunks.size(); c++) {
            results.add(output(chunks.get(c), rows.chunkStart[c], normed));
        }
        return results;
    }

    /** Runs lm_head on just the rows the chunk's output needs. */
    private ChunkResult output(SequenceChunk chunk, int firstRow, float[] normed) {
        int vocab = config.vocabSize();
        ChunkOutput output = chunk.output();
        if (output instanceof ChunkOutput.NextToken next) {
            float[] logits = logits(normed, firstRow + chunk.length() - 1, 1);
            return ChunkResult.token(TokenSampler.sample(logits, 0, vocab, next.sampling(), chunk.endPosition()));
        }
        if (output instanceof ChunkOutput.TokensAtEveryPosition every) {
            float[] logits = logits(normed, firstRow, chunk.length());
            int[] sampled = new int[chunk.length()];
            for (int i = 0; i < sampled.length; i++) {
                sampled[i] = TokenSampler.sample(logits, i * vocab, vocab, every.sampling(),
                        chunk.startPosition() + i + 1);
            }
            return ChunkResult.sampledTokens(sampled);
        }
        if (output instanceof ChunkOutput.AllLogits) {
            float[] logits = logits(normed, firstRow, chunk.length());
            float[][] perRow = new float[chunk.length()][];
            for (int i = 0; i < chunk.length(); i++) {
                perRow[i] = java.util.Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab);
            }
            return ChunkResult.logits(perRow);
        }
        if (output instanceof ChunkOutput.TargetLogProbs scored) {
            int[] targets = scored.targets();
            float[] logits = logits(normed, firstRow + chunk.length() - targets.length, targets.length);
            float[] logProbs = new float[targets.length];
            boolean[] isArgmax = new boolean[targets.length];
            for (int i = 0; i < targets.length; i++) {
                double logNormalizer = VectorMath.logSumExp(logits, i * vocab, vocab);
                logProbs[i] = (float) (logits[i * vocab + targets[i]] - logNormalizer);
                isArgmax[i] = TokenSampler.argmax(logits, i * vocab, vocab) == targets[i];
            }
            return ChunkResult.targets(logProbs, isArgmax);
        }
        return ChunkResult.EMPTY;
    }

    private float[] logits(float[] normed, int firstRow, int rows) {
        int hidden = config.hiddenSize();
        float[] input = java.util.Arrays.copyOfRange(normed, firstRow * hidden, (firstRow + rows) * hidden);
        float[] logits = new float[rows * config.vocabSize()];
        for (CpuShard shard : shards) {
            shard.logits(input, rows, logits, config.vocabSize(), loops);
        }
        return logits;
    }

    private void normRows(float[] x, float[] weight, float[] out, int rows) {
        int hidden = config.hiddenSize();
        for (int r = 0; r < rows; r++) {
            VectorMath.rmsNorm(x, r * hidden, weight, config.rmsNormEps(), out, r * hidden, hidden);
        }
    }

    @Override
    public void close() {
        loops.close();
    }
}
