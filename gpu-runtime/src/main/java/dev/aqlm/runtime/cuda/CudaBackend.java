package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkResult;
import dev.aqlm.runtime.engine.ChunkValidation;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelWeights;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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
        pinnedTokens.copyFrom(work.sampled, 0, 4L * bucket, context.stream());
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
        DeviceBuffer inputs = work.stepInputs;
        forward.decoder(bucket, new DeviceForward.RowInputs(inputs.address(stepInputs.tokensOffset()),
                        inputs.address(stepInputs.slotsOffset()), inputs.address(stepInputs.positionsOffset())),
                DeviceForward.AttentionRows.allDecode(bucket));
        forward.logits(bucket, DeviceAddress.NULL);
        forward.sample(bucket, 0, inputs.address(stepInputs.samplingOffset()), work.sampled.address());
    }

    private List<ChunkResult> eager(List<SequenceChunk> chunks) {
        ChunkResults results = new ChunkResults(chunks);
        for (ForwardPlan.Pass pass : ForwardPlan.plan(chunks, work.rows)) {
            results.collect(pass, runPass(pass));
        }
        return results.results();
    }

    /**
     * Runs one pass and brings back its outputs. Logits are computed for at most {@code work.logitRows} outputs at a
     * time; within such a group each kind of output is one run (the plan orders them), so a group takes at most one
     * sampling, one scoring launch and one logits download. Sampled tokens, log-probabilities and flags are written
     * at their output's index and come back in one copy each at the end.
     */
    private ChunkResults.PassValues runPass(ForwardPlan.Pass pass) {
        batchInputs.write(pinnedBatch.view(), pass);
        pinnedBatch.copyTo(work.batchInputs, 0, batchInputs.bytes(), context.stream());
        forward.decoder(pass.rows(), new DeviceForward.RowInputs(input(BatchInputs.Section.TOKENS),
                        input(BatchInputs.Section.SLOTS), input(BatchInputs.Section.POSITIONS)),
                new DeviceForward.AttentionRows(input(BatchInputs.Section.DECODE_ROWS), pass.decodeRows().length,
                        input(BatchInputs.Section.PREFILL_TILES), pass.prefillTiles().size()));
        int outputs = pass.outputs().size();
        float[][] logits = new float[outputs][];
        for (int group = 0; group < outputs; group += work.logitRows) {
            int end = Math.min(group + work.logitRows, outputs);
            forward.logits(end - group, input(BatchInputs.Section.LOGIT_ROWS).plus(4L * group));
            Run samples = Run.of(pass, ForwardPlan.Sample.class, group, end);
            if (samples.size() > 0) {
                forward.sample(samples.size(), samples.from() - group,
                        input(BatchInputs.Section.SAMPLING).plus((long) SamplingRows.BYTES * samples.from()),
                        work.sampled.address(4L * samples.from()));
            }
            Run targets = Run.of(pass, ForwardPlan.Target.class, group, end);
            if (targets.size() > 0) {
                forward.targetLogProbs(targets.size(), targets.from() - group,
                        input(BatchInputs.Section.TARGETS).plus(4L * targets.from()),
                        work.logProbs.address(4L * targets.from()), work.isArgmax.address(4L * targets.from()));
            }
            Run full = Run.of(pass, ForwardPlan.Logits.class, group, end);
            if (full.size() > 0) {
                context.synchronize("forward pass of " + pass.rows() + " rows");
                int vocab = config.vocabSize();
                float[] block = new float[full.size() * vocab];
                work.logits.download(block, 4L * (full.from() - group) * vocab);
                for (int i = 0; i < full.size(); i++) {
                    logits[full.from() + i] = Arrays.copyOfRange(block, i * vocab, (i + 1) * vocab);
                }
            }
        }
        context.synchronize("forward pass of " + pass.rows() + " rows");
        int[] tokens = new int[pass.countOf(ForwardPlan.Sample.class)];
        int firstTarget = pass.firstOf(ForwardPlan.Target.class);
        float[] logProbs = new float[pass.countOf(ForwardPlan.Target.class)];
        int[] isArgmax = new int[logProbs.length];
        if (tokens.length > 0) {
            work.sampled.download(tokens, 0);
        }
        if (logProbs.length > 0) {
            work.logProbs.download(logProbs, 4L * firstTarget);
            work.isArgmax.download(isArgmax, 4L * firstTarget);
        }
        return new ChunkResults.PassValues(tokens, firstTarget, logProbs, isArgmax, logits);
    }

    /** The outputs [from, to) of one kind that fall in the logits group [group, end). */
    private record Run(int from, int to) {
        static Run of(ForwardPlan.Pass pass, Class<? extends ForwardPlan.Output> kind, int group, int end) {
            int first = pass.firstOf(kind);
            return new Run(Math.max(group, first), Math.min(end, first + pass.countOf(kind)));
        }

        int size() {
            return Math.max(0, to - from);
        }
    }

    /** The device address of a section of the pass-input buffer. */
    private DeviceAddress input(BatchInputs.Section section) {
        return work.batchInputs.address(batchInputs.offset(section));
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
