package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkResult;
import dev.aqlm.runtime.engine.ChunkValidation;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.KvCacheFormat;
import dev.aqlm.runtime.engine.SequenceChunk;
import dev.aqlm.runtime.model.ModelConfig;
import dev.aqlm.runtime.model.ModelWeights;
import dev.aqlm.runtime.parallel.ModelShard;
import dev.aqlm.runtime.parallel.TensorParallelPlan;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model on NVIDIA GPUs: weights uploaded once (AQLM stays as codes), a static KV cache, activations in the
 * checkpoint's 16-bit type with fp32 accumulation, norms, softmax and logits.
 *
 * <p>A batch in which every chunk samples at each of its rows is the hot path: decode steps (one token, sampling the
 * next) and speculative verification chunks ([last token, draft...], sampling after each), mixed freely. Its inputs go
 * to the device in one copy, the whole step (embedding, layers, final norm, lm_head, sampling) runs as one replay of a
 * CUDA graph captured for its {@link GraphStep.Shape} (the smallest bucket that holds the batch, times the longest
 * chunk), and the sampled tokens come back in one copy. With graphs off the same launches run eagerly. Anything else
 * (prompt chunks, logits, scoring) runs eagerly in passes of bounded size.
 *
 * <p>With tensor parallelism ({@code --tensor-parallel N}) the model is N {@link DeviceShard}s, one per listed device
 * (one context per GPU), which exchange partial results inside their passes and graphs. This thread enqueues every
 * shard's work, in rank order, and then waits; the lead shard (rank 0) samples and returns the results.
 */
public final class CudaBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);
    /** Device memory kept free for the driver, graphs and fragmentation when sizing the KV cache. */
    private static final long RESERVE_BYTES = 512L << 20;

    private final List<CudaContext> contexts;
    private final List<DeviceShard> shards;
    private final DeviceShard lead;
    private final TensorParallelExchange exchange;
    private final ModelConfig config;
    private final GraphBuckets buckets;
    private final BatchInputs batchInputs;
    private final PinnedHostBuffer pinnedTokens;
    private final int logitRows;
    private final boolean useGraphs;
    private final GraphCounts graphCounts = new GraphCounts();
    private final RingRestores ringRestores;
    private boolean poisoned;

    /** Uploads {@code weights} to the device {@code options.deviceOrdinal()} names, or shards them over its devices. */
    public static CudaBackend open(ModelWeights weights, EngineOptions options) {
        int ropePositions = options.effectiveContextLength(weights.config().maxPositionEmbeddings());
        TensorParallelPlan plan = TensorParallelPlan.of(weights.config(), options.tensorParallel());
        List<ModelShard> shards = plan.shards(weights);
        if (shards.size() > 1) {
            shards.forEach(shard -> LOG.info("tensor parallel {}", shard.describe()));
        }
        return open(options, weights.config(), shards.stream().<ModelPlacement>map(shard ->
                (context, pool) -> DeviceModel.upload(pool, shard.weights(), ropePositions)).toList());
    }

    /** Puts a model into a fresh context's memory pool (a checkpoint's upload, or synthetic weights built there). */
    interface ModelPlacement {
        DeviceModel place(CudaContext context, DeviceMemoryPool pool);
    }

    /**
     * A backend for {@code config} on the devices {@code options.shardDevices()} names, one per placement (shard),
     * serving what the placements put there. Whatever fails on the way frees what was allocated, so a refused model
     * leaves the devices as they were.
     */
    static CudaBackend open(EngineOptions options, ModelConfig config, List<ModelPlacement> placements) {
        List<Integer> ordinals = placements.size() == 1 ? List.of(options.deviceOrdinal()) : options.shardDevices();
        if (ordinals.size() != placements.size()) {
            throw new IllegalArgumentException(placements.size() + " tensor-parallel shards need as many devices,"
                    + " got --devices " + ordinals);
        }
        Map<Integer, CudaContext> byOrdinal = new LinkedHashMap<>();
        List<DeviceShard> shards = new ArrayList<>();
        try {
            for (int rank = 0; rank < placements.size(); rank++) {
                int ordinal = ordinals.get(rank);
                boolean shared = byOrdinal.containsKey(ordinal);
                CudaContext context = shared ? byOrdinal.get(ordinal) : newContext(ordinal, ordinals);
                byOrdinal.put(ordinal, context);
                shards.add(DeviceShard.place(rank, context, shared, placements.get(rank)));
            }
            return new CudaBackend(List.copyOf(byOrdinal.values()), shards, config, options);
        } catch (RuntimeException e) {
            shards.forEach(DeviceShard::close);
            byOrdinal.values().forEach(CudaContext::close);
            throw e;
        }
    }

    private static CudaContext newContext(int ordinal, List<Integer> ordinals) {
        CudaAvailability availability = CudaAvailability.check(ordinal);
        if (!availability.usable()) {
            throw new CudaUnavailableException(ordinals.size() > 1
                    ? "device " + ordinal + " of --devices " + ordinals + ": " + availability.reason()
                    : availability.reason());
        }
        return new CudaContext(availability.device());
    }

    private CudaBackend(List<CudaContext> contexts, List<DeviceShard> shards, ModelConfig config,
                        EngineOptions options) {
        this.contexts = contexts;
        this.shards = List.copyOf(shards);
        this.lead = shards.get(0);
        this.config = config;
        this.useGraphs = options.cudaGraphs();
        DeviceCacheSizing.Choice cache = DeviceCacheSizing.choose(options, shards, lead.model.ropePositions(),
                RESERVE_BYTES);
        int slots = cache.slots();
        int contextLength = cache.context();
        this.buckets = new GraphBuckets(slots);
        int rows = DeviceCacheSizing.passRows(options, slots);
        this.logitRows = Math.max(buckets.largest(), 128);
        this.batchInputs = new BatchInputs(rows);
        DeviceShard.Sizes sizes = new DeviceShard.Sizes(rows, Math.max(slots, buckets.largest()), logitRows,
                batchInputs, slots, contextLength, options.kvCache());
        long partialFloats = Math.max((long) rows * config.hiddenSize(),
                (long) logitRows * TensorParallelExchange.slicePitch(config.vocabSize(), shards.size()));
        this.exchange = shards.size() == 1 ? null : TensorParallelExchange.allocate(
                shards.stream().map(s -> s.context).toList(), shards.stream().map(s -> s.pool).toList(), partialFloats);
        for (DeviceShard shard : shards) {
            shard.connect(sizes, exchange);
            LOG.info("{}{}: {} resident in {} GiB ({} slots x {} positions, graphs {})",
                    shard.context.device().describe(), shards.size() > 1 ? " shard " + shard.rank : "",
                    shard.model.config().describe(), String.format("%.2f", shard.pool.bytes() / 0x1p30), slots,
                    contextLength, useGraphs ? "on" : "off");
        }
        this.ringRestores = new RingRestores(lead.cache().layout());
        lead.context.makeCurrent();
        this.pinnedTokens = new PinnedHostBuffer(4L * rows);
    }

    @Override
    public String description() {
        String devices = shards.size() == 1 ? lead.context.device().describe()
                : "tensor-parallel " + shards.size() + " over " + shards.stream()
                        .map(s -> s.context.device().describe()).distinct().toList();
        KvCacheFormat kvCache = lead.cache().format();
        return devices + " " + lead.model.type().name().toLowerCase() + (kvCache.quantized()
                ? ", " + kvCache.bits() + "-bit KV" : "") + (useGraphs ? "" : " (no graphs)");
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public int slotCount() {
        return lead.cache().usableSlots();
    }

    @Override
    public int contextLength() {
        return lead.cache().context();
    }

    @Override
    public boolean replaysDecodeGraphs() {
        return useGraphs;
    }

    /** Weight bytes one decode step reads (lm_head included, embedding rows excluded), on the busiest shard. */
    public long weightBytesPerStep() {
        return shards.stream().mapToLong(s -> s.model.weightBytesPerStep()).max().orElseThrow();
    }

    /** The lead device's copy bandwidth in bytes/s (read + write), measured now with a {@code bytes}-byte copy. */
    public double measureCopyBandwidth(long bytes, int repeats) {
        lead.context.makeCurrent();
        return BandwidthProbe.copyBandwidth(lead.context, bytes, repeats);
    }

    public CudaDevice device() {
        return lead.context.device();
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
        try {
            ringRestores.before(chunks, shards);
            GraphStep step = GraphStep.plan(chunks, buckets, batchInputs.capacity(), lead.cache().scratchSlot());
            return step != null ? graphStep(chunks, step) : eager(chunks);
        } catch (CudaException e) {
            poisoned |= e.isContextPoisoned();
            throw e;
        }
    }

    private List<ChunkResult> graphStep(List<SequenceChunk> chunks, GraphStep step) {
        GraphStep.Shape shape = step.shape();
        for (DeviceShard shard : shards) {
            shard.context.makeCurrent();
            copyInputs(shard, step.pass());
            if (useGraphs) {
                shard.graph(shape, () -> {
                    if (shard == lead) {
                        graphCounts.captured(shape);
                    }
                    enqueueStep(shard, shape);
                }).launch(shard.stream);
            } else {
                enqueueStep(shard, shape);
            }
        }
        graphCounts.stepRan(shape, useGraphs);
        lead.context.makeCurrent();
        pinnedTokens.copyFrom(lead.work().sampled, 0, 4L * shape.rows(), lead.stream);
        synchronizeAll(() -> "step of " + chunks.size() + " sequences (bucket " + shape.bucket() + " x "
                + shape.width() + " rows)");
        ByteBuffer view = pinnedTokens.view();
        int[] tokens = new int[shape.rows()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = view.getInt(4 * i);
        }
        ChunkResults results = new ChunkResults(chunks);
        results.collect(step.pass(), ChunkResults.PassValues.sampledOnly(tokens));
        return results.results();
    }

    /**
     * The whole step of {@code shape} on one shard; reads only the pass-input buffer, and on the lead writes a sampled
     * token for every row (the other shards stop at the gathered logits).
     */
    private void enqueueStep(DeviceShard shard, GraphStep.Shape shape) {
        DeviceForward forward = shard.forward();
        forward.decoder(shape.rows(), rowInputs(shard), attentionRows(shard, shape.decodeRows(), shape.prefillTiles()));
        for (int group = 0; group < shape.rows(); group += logitRows) {
            int count = Math.min(logitRows, shape.rows() - group);
            forward.logits(count, input(shard, BatchInputs.Section.LOGIT_ROWS).plus(4L * group));
            if (shard == lead) {
                DeviceAddress sampling = input(shard, BatchInputs.Section.SAMPLING);
                forward.sample(count, 0, sampling.plus((long) SamplingRows.BYTES * group),
                        shard.work().sampled.address(4L * group));
            }
        }
    }

    private List<ChunkResult> eager(List<SequenceChunk> chunks) {
        ChunkResults results = new ChunkResults(chunks);
        for (ForwardPlan.Pass pass : ForwardPlan.plan(chunks, lead.work().rows,
                lead.cache().layout().passRowsPerSequence(lead.work().rows))) {
            results.collect(pass, runPass(pass));
        }
        return results.results();
    }

    /**
     * Runs one pass and brings back its outputs. Logits are computed for at most {@code logitRows} outputs at a
     * time; within such a group each kind of output is one run (the plan orders them), so a group takes at most one
     * sampling, one scoring launch and one logits download. Sampled tokens, log-probabilities and flags are written
     * at their output's index and come back in one copy each at the end. Every shard runs the decoder and lm_head
     * (they exchange partial results); the lead samples, scores and returns logits.
     */
    private ChunkResults.PassValues runPass(ForwardPlan.Pass pass) {
        graphCounts.eagerPassRan();
        for (DeviceShard shard : shards) {
            shard.context.makeCurrent();
            copyInputs(shard, pass);
            shard.forward().decoder(pass.rows(), rowInputs(shard),
                    attentionRows(shard, pass.decodeRows().length, pass.prefillTiles().size()));
        }
        Workspace work = lead.work();
        DeviceForward forward = lead.forward();
        int outputs = pass.outputs().size();
        float[][] logits = new float[outputs][];
        for (int group = 0; group < outputs; group += logitRows) {
            int end = Math.min(group + logitRows, outputs);
            for (DeviceShard shard : shards) {
                shard.context.makeCurrent();
                shard.forward().logits(end - group, input(shard, BatchInputs.Section.LOGIT_ROWS).plus(4L * group));
            }
            lead.context.makeCurrent();
            Run samples = Run.of(pass, ForwardPlan.Sample.class, group, end);
            if (samples.size() > 0) {
                forward.sample(samples.size(), samples.from() - group,
                        input(lead, BatchInputs.Section.SAMPLING).plus((long) SamplingRows.BYTES * samples.from()),
                        work.sampled.address(4L * samples.from()));
            }
            Run targets = Run.of(pass, ForwardPlan.Target.class, group, end);
            if (targets.size() > 0) {
                forward.targetLogProbs(targets.size(), targets.from() - group,
                        input(lead, BatchInputs.Section.TARGETS).plus(4L * targets.from()),
                        work.logProbs.address(4L * targets.from()), work.isArgmax.address(4L * targets.from()));
            }
            Run full = Run.of(pass, ForwardPlan.Logits.class, group, end);
            if (full.size() > 0) {
                lead.synchronize(() -> "forward pass of " + pass.rows() + " rows");
                int vocab = config.vocabSize();
                float[] block = new float[full.size() * vocab];
                work.logits.download(block, 4L * (full.from() - group) * vocab);
                for (int i = 0; i < full.size(); i++) {
                    logits[full.from() + i] = Arrays.copyOfRange(block, i * vocab, (i + 1) * vocab);
                }
            }
        }
        synchronizeAll(() -> "forward pass of " + pass.rows() + " rows");
        lead.context.makeCurrent();
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

    /** Writes a pass's inputs and copies them to the shard's pass-input buffer (one copy, queued on its stream). */
    private void copyInputs(DeviceShard shard, ForwardPlan.Pass pass) {
        batchInputs.write(shard.pinnedBatch().view(), pass);
        shard.pinnedBatch().copyTo(shard.work().batchInputs, 0, batchInputs.bytes(), shard.stream);
    }

    private DeviceForward.RowInputs rowInputs(DeviceShard shard) {
        return new DeviceForward.RowInputs(input(shard, BatchInputs.Section.TOKENS),
                input(shard, BatchInputs.Section.SLOTS), input(shard, BatchInputs.Section.POSITIONS));
    }

    private DeviceForward.AttentionRows attentionRows(DeviceShard shard, int decodeRows, int prefillTiles) {
        return new DeviceForward.AttentionRows(input(shard, BatchInputs.Section.DECODE_ROWS), decodeRows,
                input(shard, BatchInputs.Section.PREFILL_TILES), prefillTiles);
    }

    /** How many steps ran as graphs (captured and replayed, per shape) and eagerly: for tests. */
    GraphCounts graphCounts() {
        return graphCounts;
    }

    /** The device address of a section of a shard's pass-input buffer. */
    private DeviceAddress input(DeviceShard shard, BatchInputs.Section section) {
        return shard.work().batchInputs.address(batchInputs.offset(section));
    }

    /** Waits for every shard; the first fault (in rank order) is the one reported. */
    private void synchronizeAll(java.util.function.Supplier<String> what) {
        for (DeviceShard shard : shards) {
            shard.synchronize(what);
        }
    }

    @Override
    public void close() {
        lead.context.makeCurrent();
        pinnedTokens.close();
        shards.forEach(DeviceShard::close);
        if (exchange != null) {
            exchange.close();
        }
        contexts.forEach(CudaContext::close);
    }
}
