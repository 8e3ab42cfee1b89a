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
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fp32 reference backend: every device, every format, the same answers. Dense weights are widened to fp32 once;
 * AQLM layers stay as codes and codebooks. Work is spread over a fixed pool of threads.
 */
public final class CpuBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);
    private final ModelConfig config;
    private final ParallelLoops loops;
    private final KvCache cache;
    private final RotaryEmbedding rope;
    private final float[] embedding;
    private final List<Layer> layers = new ArrayList<>();
    private final float[] finalNorm;
    private final DenseLinear lmHead;
    private final KvCacheFormat kvCacheFormat;

    /** One decoder layer's resident parts. */
    private record Layer(float[] attentionNorm, CpuAttention attention, float[] feedForwardNorm,
                         CpuFeedForward feedForward) {
    }

    public CpuBackend(ModelWeights weights, int slots, int contextLength, int threads) {
        this(weights, slots, contextLength, threads, KvCacheFormat.FULL_PRECISION);
    }

    /**
     * @param slots KV slots, or {@link EngineOptions#AUTO_SLOTS}: as many as the heap holds once the weights are
     *              resident (see {@link SlotCapacity}); the load log says what the cache weighs and what fits
     */
    public CpuBackend(ModelWeights weights, int slots, int contextLength, int threads, KvCacheFormat kvCache) {
        this.config = weights.config();
        this.loops = new ParallelLoops(threads);
        this.embedding = weights.embedTokens().toFloats();
        for (LayerWeights layer : weights.layers()) {
            layers.add(new Layer(layer.attentionNorm().toFloats(), new CpuAttention(layer, config),
                    layer.feedForwardNorm().toFloats(), CpuFeedForward.of(layer.feedForward())));
        }
        this.finalNorm = weights.finalNorm().toFloats();
        this.lmHead = weights.lmHead() == weights.embedTokens()
                ? new DenseLinear(embedding, null, config.vocabSize(), config.hiddenSize())
                : new DenseLinear(weights.lmHead().toFloats(), null, config.vocabSize(), config.hiddenSize());
        kvCache.requireFits(config);
        this.kvCacheFormat = kvCache;
        // Sized after the weights above are widened and resident: what is left of the heap is the cache's.
        SlotCapacity capacity = new SlotCapacity(kvCache, KvCacheShape.of(config), contextLength, Float.BYTES,
                SlotCapacity.freeHeapBytes());
        int slotCount = slots == EngineOptions.AUTO_SLOTS ? capacity.autoSlots() : slots;
        LOG.info("{}", capacity.describe(slotCount));
        this.cache = kvCache.quantized()
                ? new QuantizedKvCache(config.layerCount(), slotCount, contextLength, config.kvDim(), config.headDim(),
                        kvCache)
                : new FullPrecisionKvCache(config.layerCount(), slotCount, contextLength, config.kvDim(),
                        config.headDim());
        this.rope = new RotaryEmbedding(config.rope(), config.headDim(), contextLength);
    }

    @Override
    public String description() {
        return "cpu (" + loops.threads() + " threads" + (kvCacheFormat.quantized()
                ? ", " + kvCacheFormat.bits() + "-bit KV)" : ")");
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public int slotCount() {
        return cache.slots();
    }

    @Override
    public int contextLength() {
        return cache.context();
    }

    @Override
    public List<ChunkResult> forward(List<SequenceChunk> chunks) {
        ChunkValidation.check(chunks, slotCount(), contextLength(), config.vocabSize());
        BatchRows rows = new BatchRows(chunks);
        for (SequenceChunk chunk : chunks) {
            cache.rewind(chunk.slot(), chunk.startPosition());
        }
        int hidden = config.hiddenSize();
        float[] residual = new float[rows.count * hidden];
        for (int r = 0; r < rows.count; r++) {
            System.arraycopy(embedding, rows.tokens[r] * hidden, residual, r * hidden, hidden);
        }
        float[] normed = new float[rows.count * hidden];
        float[] delta = new float[rows.count * hidden];
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            normRows(residual, layer.attentionNorm(), normed, rows.count);
            layer.attention().apply(normed, delta, rows, cache, l, rope, loops);
            add(residual, delta);
            normRows(residual, layer.feedForwardNorm(), normed, rows.count);
            layer.feedForward().apply(normed, delta, rows.count, loops);
            add(residual, delta);
        }
        for (SequenceChunk chunk : chunks) {
            cache.commit(chunk.slot(), chunk.endPosition());
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
        lmHead.apply(input, logits, rows, loops);
        return logits;
    }

    private void normRows(float[] x, float[] weight, float[] out, int rows) {
        int hidden = config.hiddenSize();
        for (int r = 0; r < rows; r++) {
            VectorMath.rmsNorm(x, r * hidden, weight, config.rmsNormEps(), out, r * hidden, hidden);
        }
    }

    private static void add(float[] residual, float[] delta) {
        for (int i = 0; i < residual.length; i++) {
            residual[i] += delta[i];
        }
    }

    @Override
    public void close() {
        loops.close();
    }
}
