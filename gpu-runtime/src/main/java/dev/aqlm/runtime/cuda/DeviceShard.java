package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.engine.KvCacheFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import jcuda.driver.CUstream;

/**
 * What one device holds of a model: the whole model, or one tensor-parallel shard (its heads, intermediate rows and
 * vocabulary slice), with its KV cache, workspace, pinned input buffers, captured graphs and the stream all of its
 * work runs on. Built in two steps, since the shards' exchange needs every shard's memory: {@link #place} the weights
 * (which also sizes the KV cache), then {@link #connect} to the exchange, which allocates the rest.
 */
final class DeviceShard implements AutoCloseable {
    final int rank;
    final CudaContext context;
    final CUstream stream;
    final DeviceMemoryPool pool;
    final DeviceModel model;
    private Workspace work;
    private DeviceKvCache cache;
    private DeviceForward forward;
    private PinnedHostBuffer pinnedBatch;
    private final Map<GraphStep.Shape, CudaGraph> graphs = new HashMap<>();

    private DeviceShard(int rank, CudaContext context, CUstream stream, DeviceMemoryPool pool, DeviceModel model) {
        this.rank = rank;
        this.context = context;
        this.stream = stream;
        this.pool = pool;
        this.model = model;
    }

    /**
     * Shard {@code rank}'s weights put into a new pool of {@code context}, on the context's own stream, or on a
     * stream of its own when an earlier shard already uses that device.
     */
    static DeviceShard place(int rank, CudaContext context, boolean deviceShared, CudaBackend.ModelPlacement placement) {
        context.makeCurrent();
        CUstream stream = deviceShared ? context.newStream() : context.stream();
        DeviceMemoryPool pool = new DeviceMemoryPool(context);
        try {
            return new DeviceShard(rank, context, stream, pool, placement.place(context, pool));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * What every shard allocates alike: pass rows, decode rows, logit rows, the input layout, and the KV cache's
     * slots, positions and format.
     */
    record Sizes(int rows, int decodeRows, int logitRows, BatchInputs batch, int slots, int contextLength,
                 KvCacheFormat kvCache) {
    }

    /** Allocates the KV cache, workspace and pinned buffers, and wires the forward pass to {@code exchange}. */
    void connect(Sizes sizes, TensorParallelExchange exchange) {
        context.makeCurrent();
        this.work = new Workspace(pool, model.config(), sizes.rows(), sizes.decodeRows(), sizes.logitRows(),
                sizes.batch());
        this.cache = DeviceKvCache.allocate(pool, model.config(), DeviceKvLayout.of(sizes.kvCache(), model.config(),
                sizes.slots(), sizes.contextLength(), sizes.rows()));
        this.forward = new DeviceForward(context, stream, model, cache, work,
                AttentionPlan.forContext(sizes.contextLength()), exchange, rank);
        this.pinnedBatch = new PinnedHostBuffer(sizes.batch().bytes());
        forward.prepare();
    }

    Workspace work() {
        return work;
    }

    DeviceKvCache cache() {
        return cache;
    }

    DeviceForward forward() {
        return forward;
    }

    PinnedHostBuffer pinnedBatch() {
        return pinnedBatch;
    }

    /** The graph of a step of {@code shape}, captured from {@code step} the first time. */
    CudaGraph graph(GraphStep.Shape shape, Runnable step) {
        return graphs.computeIfAbsent(shape, s -> CudaGraph.capture(stream,
                "step graph (bucket " + s.bucket() + " x " + s.width() + " rows, shard " + rank + ")", step));
    }

    void synchronize(Supplier<String> what) {
        context.makeCurrent();
        context.synchronize(stream, what.get());
    }

    @Override
    public void close() {
        context.makeCurrent();
        graphs.values().forEach(CudaGraph::close);
        graphs.clear();
        if (pinnedBatch != null) {
            pinnedBatch.close();
        }
        pool.close();
    }
}
