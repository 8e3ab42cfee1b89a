package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.ChunkResult;
import dev.aqlm.runtime.engine.ChunkValidation;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelWeights;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model on one NVIDIA GPU: weights uploaded once (AQLM stays as codes), a static KV cache, activations in the
 * checkpoint's 16-bit type with fp32 accumulation, norms, softmax and logits.
 *
 * <p>A batch of decode steps only (every chunk one token, sampling the next) is the hot path: its inputs go to the
 * device in one copy, the whole step (embedding, layers, final norm, lm_head, sampling) runs as one replay of a CUDA
 * graph captured for the smallest bucket that holds the batch, and the sampled tokens come back in one copy. With
 * graphs off the same launches run eagerly. Anything else (prompt chunks, mixed batches, logits, scoring) runs
 * eagerly in passes of bounded size.
 */
public final class CudaBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);
    /** Device memory kept free for the driver, graphs and fragmentation when sizing the KV cache. */
    private static final long RESERVE_BYTES = 512L << 20;

    private final CudaContext context;
    private final DeviceMemoryPool pool;
    private final DeviceModel model;
    private final ModelConfig config;
    private final DeviceKvCache cache;
    private final Workspace work;
    private final DeviceForward forward;
    private final GraphBuckets buckets;
    private final BatchInputs batchInputs;
    private final DecodeStepInputs stepInputs;
    private final PinnedHostBuffer pinnedBatch;
    private final PinnedHostBuffer pinnedStep;
    private final PinnedHostBuffer pinnedTokens;
    private final boolean useGraphs;
    private final Map<Integer, CudaGraph> graphs = new HashMap<>();
    private boolean poisoned;

    /** Uploads {@code weights} to the device {@code options.deviceOrdinal()} names. */
    public static CudaBackend open(ModelWeights weights, EngineOptions options) {
        int ropePositions = options.effectiveContextLength(weights.config().maxPositionEmbeddings());
        return open(options, (context, pool) -> DeviceModel.upload(pool, weights, ropePositions));
    }

    /** Puts a model into a fresh context's memory pool (a checkpoint's upload, or synthetic weights built there). */
    interface ModelPlacement {
        DeviceModel place(CudaContext context, DeviceMemoryPool pool);
    }

    /**
     * A backend on the device {@code options.deviceOrdinal()} names, serving the model {@code placement} puts there.
     * Whatever fails on the way frees the pool and the context, so a refused model leaves the device as it was.
     */
    static CudaBackend open(EngineOptions options, ModelPlacement placement) {
        CudaAvailability availability = CudaAvailability.check(options.deviceOrdinal());
        if (!availability.usable()) {
            throw new CudaUnavailableException(availability.reason());
        }
        CudaContext context = new CudaContext(availability.device());
        DeviceMemoryPool pool = new DeviceMemoryPool(context);
        try {
            context.makeCurrent();
            return new CudaBackend(context, pool, placement.place(context, pool), options);
        } catch (RuntimeException e) {
            pool.close();
            context.close();
            throw e;
        }
    }

    private CudaBackend(CudaContext context, DeviceMemoryPool pool, DeviceModel model, EngineOptions options) {
        this.context = context;
        this.pool = pool;
        this.model = model;
        this.config = model.config();
        this.useGraphs = options.cudaGraphs();
        int slots = options.slots();
        this.buckets = new GraphBuckets(slots);
        int rows = Math.max(options.maxPrefillTokens(), 64) + buckets.largest();
        int logitRows = Math.max(buckets.largest(), 128);
        this.batchInputs = new BatchInputs(rows);
        this.stepInputs = new DecodeStepInputs(buckets.largest());
        this.work = new Workspace(pool, config, rows, Math.max(slots, buckets.largest()), logitRows, batchInputs,
                stepInputs);
        int contextLength = DeviceKvCache.chooseContext(config, slots, options.contextLength(),
                Math.min(context.memoryInfo()[0] - RESERVE_BYTES, Long.MAX_VALUE));
        if (contextLength > model.ropePositions()) {
            throw new IllegalArgumentException("context length " + contextLength + " exceeds the RoPE table of "
                    + model.ropePositions() + " positions");
        }
        this.cache = DeviceKvCache.allocate(pool, config, slots, contextLength);
        this.forward = new DeviceForward(context, model, cache, work, AttentionPlan.forContext(contextLength));
        this.pinnedBatch = new PinnedHostBuffer(batchInputs.bytes());
        this.pinnedStep = new PinnedHostBuffer(stepInputs.bytes());
        this.pinnedTokens = new PinnedHostBuffer(4L * buckets.largest());
        forward.prepare();
        LOG.info("{}: {} resident in {} GiB ({} slots x {} positions, graphs {})", context.device().describe(),
                config.describe(), String.format("%.2f", pool.bytes() / 0x1p30), slots, contextLength,
                useGraphs ? "on" : "off");
    }

    @Override
    public String description() {
        return context.device().describe() + " " + model.type().name().toLowerCase() + (useGraphs ? "" : " (no graphs)");
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public int slotCount() {
        return cache.usableSlots();
    }

    @Override
    public int contextLength() {
        return cache.context();
    }

    @Override
    public boolean replaysDecodeGraphs() {
        return useGraphs;
    }

    /** Weight bytes one decode step reads (lm_head included, embedding rows excluded). */
    public long weightBytesPerStep() {
        return model.weightBytesPerStep();
    }

    /** The device's copy bandwidth in bytes/s (read + write), measured now with a {@code bytes}-byte copy. */
    public double measureCopyBandwidth(long bytes, int repeats) {
        return BandwidthProbe.copyBandwidth(context, bytes, repeats);
    }

    public CudaDevice device() {
        return context.device();
    }

    /** True after a sticky CUDA error: this backend (and its process) can no longer use the GPU. */
    public boolean isContextPoisoned() {
        return poisoned;
    }

    @Override
    public List<ChunkResult> forward(List<SequenceChunk> chunks) {
        ChunkValidation.check(chunks, slotCount(), contextLength(), config.vocabSize());
        if (chunks.isEmpty()) {
            return List.of();
        }
        context.makeCurrent();
        try {
            if (chunks.stream().allMatch(SequenceChunk::isDecodeStep)) {
                return decodeStep(chunks);
            }
            return eager(chunks);
        } catch (CudaException e) {
            poisoned |= e.isContextPoisoned();
            throw e;
        }
    }

    private List<ChunkResult> decodeStep(List<SequenceChunk> steps) {
        int bucket = buckets.bucketFor(steps.size());
        stepInputs.write(pinnedStep.view(), steps, bucket, cache.scratchSlot());
        pinnedStep.copyTo(work.stepInputs, 0, stepInputs.bytes(), context.stream());
        if (useGraphs) {
            graphFor(bucket).launch(context.stream());
        } else {
            enqueueDecodeStep(bucket);
        }
        pinnedTokens.copyFrom(work.sampledBuffer, 0, 4L * bucket, context.stream());
        context.synchronize("decode step of " + steps.size() + " sequences (bucket " + bucket + ")");
        ByteBuffer tokens = pinnedTokens.view();
        List<ChunkResult> results = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            results.add(ChunkResult.token(tokens.getInt(4 * i)));
        }
        return results;
    }

    private CudaGraph graphFor(int bucket) {
        CudaGraph graph = graphs.get(bucket);
        if (graph == null) {
            graph = CudaGraph.capture(context.stream(), "decode step graph (bucket " + bucket + ")",
                    () -> enqueueDecodeStep(bucket));
            graphs.put(bucket, graph);
        }
        return graph;
    }

    /** The whole decode step of {@code bucket} rows; reads only the step-input buffer, writes the sampled tokens. */
    private void enqueueDecodeStep(int bucket) {
        long inputs = work.stepInputs.address();
        forward.decoder(bucket, inputs + stepInputs.tokensOffset(), inputs + stepInputs.slotsOffset(),
                inputs + stepInputs.positionsOffset(), DeviceForward.AttentionRows.allDecode(bucket));
        forward.logits(bucket, 0);
        forward.sample(bucket, 0, inputs + stepInputs.samplingOffset(), work.sampled);
    }

    private List<ChunkResult> eager(List<SequenceChunk> chunks) {
        ResultCollector results = new ResultCollector(chunks, config.vocabSize());
        for (ForwardPlan.Pass pass : ForwardPlan.plan(chunks, work.rows)) {
            runPass(pass, chunks, results);
        }
        return results.results();
    }

    private void runPass(ForwardPlan.Pass pass, List<SequenceChunk> chunks, ResultCollector results) {
        batchInputs.write(pinnedBatch.view(), pass, chunks);
        pinnedBatch.copyTo(work.batchInputs, 0, batchInputs.bytes(), context.stream());
        long base = work.batchInputs.address();
        forward.decoder(pass.rows(), base + batchInputs.offset(BatchInputs.Section.TOKENS),
                base + batchInputs.offset(BatchInputs.Section.SLOTS),
                base + batchInputs.offset(BatchInputs.Section.POSITIONS),
                new DeviceForward.AttentionRows(base + batchInputs.offset(BatchInputs.Section.DECODE_ROWS),
                        pass.decodeRows().length, base + batchInputs.offset(BatchInputs.Section.PREFILL_TILES),
                        pass.prefillTiles().size()));
        int samples = pass.sampleRows().length;
        int targets = pass.targetRows().length;
        int needed = samples + targets + pass.logitRows().length;
        for (int group = 0; group < needed; group += work.logitRows) {
            int count = Math.min(work.logitRows, needed - group);
            forward.logits(count, base + batchInputs.offset(BatchInputs.Section.LOGIT_ROWS) + 4L * group);
            int sampleEnd = Math.min(group + count, samples);
            if (sampleEnd > group) {
                forward.sample(sampleEnd - group, 0,
                        base + batchInputs.offset(BatchInputs.Section.SAMPLING) + (long) SamplingRows.BYTES * group,
                        work.sampled + 4L * group);
            }
            int targetStart = Math.max(group, samples);
            int targetEnd = Math.min(group + count, samples + targets);
            if (targetEnd > targetStart) {
                int first = targetStart - samples;
                forward.targetLogProbs(targetEnd - targetStart, targetStart - group,
                        base + batchInputs.offset(BatchInputs.Section.TARGETS) + 4L * first,
                        work.logProbs + 4L * first, work.isArgmax + 4L * first);
            }
            int logitStart = Math.max(group, samples + targets);
            if (group + count > logitStart) {
                context.synchronize("forward pass of " + pass.rows() + " rows");
                int rows = group + count - logitStart;
                float[] block = new float[rows * config.vocabSize()];
                work.logitsBuffer.download(block, 4L * (logitStart - group) * config.vocabSize());
                results.logits(pass, logitStart - samples - targets, rows, block);
            }
        }
        context.synchronize("forward pass of " + pass.rows() + " rows");
        if (samples > 0) {
            int[] tokens = new int[samples];
            work.sampledBuffer.download(tokens, 0);
            results.tokens(pass, tokens);
        }
        if (targets > 0) {
            float[] logProbs = new float[targets];
            int[] isArgmax = new int[targets];
            work.logProbsBuffer.download(logProbs, 0);
            work.isArgmaxBuffer.download(isArgmax, 0);
            results.targets(pass, logProbs, isArgmax);
        }
    }

    /** Gathers a batch's results across passes, per chunk. */
    private static final class ResultCollector {
        private final List<SequenceChunk> chunks;
        private final int vocab;
        private final int[] tokens;
        private final float[][] logProbs;
        private final boolean[][] isArgmax;
        private final float[][][] logits;

        ResultCollector(List<SequenceChunk> chunks, int vocab) {
            this.chunks = chunks;
            this.vocab = vocab;
            int n = chunks.size();
            this.tokens = new int[n];
            this.logProbs = new float[n][];
            this.isArgmax = new boolean[n][];
            this.logits = new float[n][][];
            for (int c = 0; c < n; c++) {
                tokens[c] = -1;
                ChunkOutput output = chunks.get(c).output();
                if (output instanceof ChunkOutput.TargetLogProbs scored) {
                    logProbs[c] = new float[scored.targets().length];
                    isArgmax[c] = new boolean[scored.targets().length];
                } else if (output instanceof ChunkOutput.AllLogits) {
                    logits[c] = new float[chunks.get(c).length()][];
                }
            }
        }

        void tokens(ForwardPlan.Pass pass, int[] sampled) {
            for (int i = 0; i < sampled.length; i++) {
                tokens[pass.sampleChunks()[i]] = sampled[i];
            }
        }

        void targets(ForwardPlan.Pass pass, float[] values, int[] argmax) {
            for (int i = 0; i < values.length; i++) {
                int chunk = pass.targetChunks()[i];
                logProbs[chunk][pass.targetIndices()[i]] = values[i];
                isArgmax[chunk][pass.targetIndices()[i]] = argmax[i] != 0;
            }
        }

        void logits(ForwardPlan.Pass pass, int firstLogitRow, int rows, float[] block) {
            for (int i = 0; i < rows; i++) {
                int at = firstLogitRow + i;
                float[] row = new float[vocab];
                System.arraycopy(block, i * vocab, row, 0, vocab);
                logits[pass.logitChunks()[at]][pass.logitPositions()[at]] = row;
            }
        }

        List<ChunkResult> results() {
            List<ChunkResult> list = new ArrayList<>(chunks.size());
            for (int c = 0; c < chunks.size(); c++) {
                ChunkOutput output = chunks.get(c).output();
                if (output instanceof ChunkOutput.NextToken) {
                    list.add(ChunkResult.token(tokens[c]));
                } else if (output instanceof ChunkOutput.TargetLogProbs) {
                    list.add(ChunkResult.targets(logProbs[c], isArgmax[c]));
                } else if (output instanceof ChunkOutput.AllLogits) {
                    list.add(ChunkResult.logits(logits[c]));
                } else {
                    list.add(ChunkResult.EMPTY);
                }
            }
            return list;
        }
    }

    @Override
    public void close() {
        context.makeCurrent();
        graphs.values().forEach(CudaGraph::close);
        graphs.clear();
        pinnedBatch.close();
        pinnedStep.close();
        pinnedTokens.close();
        pool.close();
        context.close();
    }
}
