package dev.aqlm.runtime.cuda;

import jcuda.driver.CUstream;

/**
 * Every kernel of the fatbin, launched through one typed method each: the only place that builds {@link KernelArgs},
 * so each kernel's argument order (and each argument's width) is written once, next to its launch geometry.
 * {@code KernelLaunchSignatureTest} checks this file against the extern "C" signatures in kernels/src/main/cuda.
 * Every method only enqueues on the context's stream (no allocation, no synchronisation), so the same calls serve
 * eager passes and graph capture. {@code what} names the launch in errors.
 */
final class Kernels {
    /** Threads of the one-block-per-row kernels (embedding, norms, expert combine). */
    private static final int ROW_THREADS = 256;
    /** Sampling and scoring reduce a whole vocabulary row in one block. */
    private static final int VOCAB_THREADS = 1024;
    private static final int FILL_BLOCKS = 4096;
    private static final int FILL_THREADS = 256;
    /** kv_quantize: one thread per key channel, then per value group, of the block a row packs. */
    private static final int KV_QUANTIZE_THREADS = 128;

    private final CudaContext context;
    private final CUstream stream;

    Kernels(CudaContext context) {
        this(context, context.stream());
    }

    /** Launches on {@code stream} of {@code context} (a tensor-parallel shard's own stream). */
    Kernels(CudaContext context, CUstream stream) {
        this.context = context;
        this.stream = stream;
    }

    /**
     * Resolves every kernel and raises the shared-memory limit of those that take more than 48 KiB, now, so that a
     * graph capture later makes only launches.
     */
    void prepare(LinearPlan.Limits limits) {
        for (String name : KernelNames.all()) {
            Kernel kernel = context.kernel(name);
            if (name.startsWith("linear_") || name.startsWith("attention_prefill_")) {
                kernel.allowDynamicShared(limits.sharedPerBlock());
            }
        }
    }

    /** residual[r] = table[tokens[r]] (fp32), for {@code rows} rows of {@code hidden}. */
    void embed(ActivationType type, int rows, DeviceAddress table, DeviceAddress tokens, DeviceAddress residual,
               int hidden) {
        launch(KernelNames.embed(type), LaunchGeometry.rows(rows, ROW_THREADS),
                new KernelArgs().pointer(table).pointer(tokens).pointer(residual).i32(hidden),
                "embedding of " + rows + " rows");
    }

    /** normed[r] = RMSNorm(residual[r]) * weight. */
    void rmsNorm(ActivationType type, int rows, DeviceAddress residual, DeviceAddress weight, DeviceAddress normed,
                 int hidden, float eps, String what) {
        launch(KernelNames.rmsNorm(type), LaunchGeometry.rows(rows, ROW_THREADS),
                new KernelArgs().pointer(residual).pointer(weight).pointer(normed).i32(hidden).f32(eps),
                what + ", " + rows + " rows");
    }

    /** One linear layer as {@code plan} tiles it; {@code args} is the whole struct (weights, rows, epilogue ...). */
    void linear(ActivationType type, LinearShape shape, LinearPlan plan, LinearArgs args, String what) {
        launch(KernelNames.linear(type, shape, plan.tile()), plan.geometry(),
                new KernelArgs().struct(args.toBytes()), what);
    }

    /**
     * Split-K decode attention of {@code rows} one-token rows (row i is query row {@code rowIndex[i]}, or i when
     * rowIndex is null) over {@code cache}'s format, into per-split partials that {@link #combineAttention} reduces.
     */
    void decodeAttention(ActivationType type, AttentionPlan plan, AttentionShape shape, int rows,
                         DeviceAddress queries, KvCacheView cache, DeviceAddress rowIndex, DeviceAddress slots,
                         DeviceAddress positions, DeviceAddress partials, String what) {
        launch(KernelNames.decodeAttention(type, cache.codes()),
                new LaunchGeometry(plan.splits(), shape.kvHeads(), rows, AttentionPlan.DECODE_THREADS, 0),
                new KernelArgs().pointer(queries).i64(shape.rowStride()).struct(cache.toBytes()).pointer(rowIndex)
                        .pointer(slots).pointer(positions).pointer(partials).i32(shape.heads()).i32(shape.kvHeads())
                        .i32(shape.headDim()).i32(shape.window()).i32(plan.splitSize()).f32(shape.scale()),
                what + ", " + rows + " rows");
    }

    /** Reduces decode partials into the attention output rows. */
    void combineAttention(ActivationType type, AttentionPlan plan, AttentionShape shape, int rows,
                          DeviceAddress partials, DeviceAddress rowIndex, DeviceAddress output, String what) {
        launch(KernelNames.combineAttention(type),
                new LaunchGeometry(shape.heads(), rows, 1, AttentionPlan.COMBINE_THREADS, 0),
                new KernelArgs().pointer(partials).pointer(rowIndex).pointer(output).i64(shape.rowStride())
                        .i32(shape.heads()).i32(shape.headDim()).i32(plan.splits()),
                what + ", " + rows + " rows");
    }

    /**
     * Causal attention of prefill tiles (16-byte {row, count, slot, start position} entries of {@code tiles}) over
     * {@code cache}'s format.
     */
    void prefillAttention(ActivationType type, AttentionShape shape, int tileCount, DeviceAddress queries,
                          KvCacheView cache, DeviceAddress tiles, DeviceAddress output, String what) {
        launch(KernelNames.prefillAttention(type, cache.codes()),
                new LaunchGeometry(tileCount, shape.heads(), 1, AttentionPlan.PREFILL_THREADS,
                        AttentionPlan.prefillSharedBytes(shape.headDim())),
                new KernelArgs().pointer(queries).i64(shape.rowStride()).struct(cache.toBytes()).pointer(tiles)
                        .pointer(output).i64(shape.rowStride()).i32(shape.heads()).i32(shape.kvHeads())
                        .i32(shape.headDim()).i32(shape.window()).f32(shape.scale()),
                what + ", " + tileCount + " tiles");
    }

    /**
     * For each of {@code rows} rows (slot and position read from device memory): packs the block of a quantized
     * cache that writing the row's position moves out of the residual window, if any.
     */
    void kvQuantize(ActivationType type, int rows, KvCacheView cache, DeviceAddress slots, DeviceAddress positions,
                    String what) {
        launch(KernelNames.kvQuantize(type), LaunchGeometry.rows(rows, KV_QUANTIZE_THREADS),
                new KernelArgs().struct(cache.toBytes()).pointer(slots).pointer(positions),
                what + ", " + rows + " rows");
    }

    /** Positions [from, from + count) of {@code slot} back into a quantized cache's ring, dequantized. */
    void kvRestore(ActivationType type, KvCacheView cache, int slot, int from, int count, String what) {
        launch(KernelNames.kvRestore(type), LaunchGeometry.rows(count, KV_QUANTIZE_THREADS),
                new KernelArgs().struct(cache.toBytes()).i32(slot).i32(from),
                what + ", positions " + from + " to " + (from + count));
    }

    /**
     * Mixtral routing on the device, in one block: top-k experts and weights per row, then per expert its row count
     * and rows (so the expert launches that follow are the same every step).
     */
    void moeRoute(int rows, int experts, int topK, DeviceAddress routerLogits, DeviceAddress routeWeights,
                  DeviceAddress rowExperts, DeviceAddress expertCounts, DeviceAddress expertRows,
                  DeviceAddress expertOutRows) {
        int threads = Math.min(1024, Math.max(32, (Math.max(rows, experts) + 31) / 32 * 32));
        launch(KernelNames.MOE_ROUTE, new LaunchGeometry(1, 1, 1, threads, 0),
                new KernelArgs().pointer(routerLogits).i32(rows).i32(experts).i32(topK).pointer(routeWeights)
                        .pointer(rowExperts).pointer(expertCounts).pointer(expertRows).pointer(expertOutRows),
                "routing " + rows + " rows over " + experts + " experts");
    }

    /** residual[r] += the routing-weighted sum of row r's {@code topK} expert outputs. */
    void moeCombine(ActivationType type, int rows, DeviceAddress expertOutputs, DeviceAddress routeWeights,
                    DeviceAddress residual, int hidden, int topK) {
        launch(KernelNames.moeCombine(type), LaunchGeometry.rows(rows, ROW_THREADS),
                new KernelArgs().pointer(expertOutputs).pointer(routeWeights).pointer(residual).i32(hidden).i32(topK),
                "combining experts of " + rows + " rows");
    }

    /** tokens[i] = the choice from fp32 logits row i (rows {@code vocab} apart) under sampling row i. */
    void sampleTokens(int rows, DeviceAddress logits, int vocab, DeviceAddress samplingRows, DeviceAddress tokens,
                      String what) {
        launch(KernelNames.SAMPLE_TOKENS, LaunchGeometry.rows(rows, VOCAB_THREADS),
                new KernelArgs().pointer(logits).i64(vocab).i32(vocab).pointer(samplingRows).pointer(tokens),
                what + ", " + rows + " rows");
    }

    /** logProbs[i] = log_softmax(logits row i)[targets[i]]; isArgmax[i] = whether targets[i] is the row's argmax. */
    void targetLogProbs(int rows, DeviceAddress logits, int vocab, DeviceAddress targets, DeviceAddress logProbs,
                        DeviceAddress isArgmax, String what) {
        launch(KernelNames.TARGET_LOG_PROBS, LaunchGeometry.rows(rows, VOCAB_THREADS),
                new KernelArgs().pointer(logits).i64(vocab).i32(vocab).pointer(targets).pointer(logProbs)
                        .pointer(isArgmax),
                what + ", " + rows + " targets");
    }

    /**
     * A tensor-parallel shard's part of an all-reduce or all-gather (see {@link TensorParallelExchange}); every shard
     * launches the same grid, since the barrier pairs block b of each shard.
     */
    void tensorParallelExchange(TensorParallelExchange.Args args, String what) {
        launch(KernelNames.TENSOR_PARALLEL_EXCHANGE,
                new LaunchGeometry(TensorParallelExchange.BLOCKS, 1, 1, TensorParallelExchange.THREADS, 0),
                new KernelArgs().struct(args.toBytes()), what);
    }

    /** {@code bytes} random bytes from {@code seed} (synthetic code words). */
    void fillRandomBytes(DeviceAddress target, long bytes, long seed, String what) {
        launch(KernelNames.FILL_RANDOM_BYTES, fillGeometry(),
                new KernelArgs().pointer(target).i64(bytes).i64(seed), what);
    }

    /** {@code count} random 16-bit values of magnitude about {@code scale} (synthetic weights). */
    void fillRandom(ActivationType type, DeviceAddress target, long count, long seed, float scale, String what) {
        launch(KernelNames.fillRandom(type), fillGeometry(),
                new KernelArgs().pointer(target).i64(count).i64(seed).f32(scale), what);
    }

    /** {@code count} floats set to {@code value}. */
    void fillF32(DeviceAddress target, long count, float value, String what) {
        launch(KernelNames.FILL_F32, fillGeometry(), new KernelArgs().pointer(target).i64(count).f32(value), what);
    }

    private static LaunchGeometry fillGeometry() {
        return new LaunchGeometry(FILL_BLOCKS, 1, 1, FILL_THREADS, 0);
    }

    private void launch(String name, LaunchGeometry geometry, KernelArgs args, String what) {
        context.kernel(name).launch(geometry, stream, args, what);
    }
}
