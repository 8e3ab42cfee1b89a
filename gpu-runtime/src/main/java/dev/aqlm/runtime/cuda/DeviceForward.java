package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.model.ModelConfig;
import jcuda.driver.CUstream;

/**
 * The forward pass as a sequence of kernel launches on the context's stream. Everything here only enqueues: no
 * allocation, no synchronisation, no host reads, so the same calls serve eager execution and graph capture.
 * Per layer: norm, fused q/k/v (+RoPE, + KV-cache store), attention (decode and/or prefill), o_proj (+residual),
 * norm, fused gate/up (+SwiGLU), down_proj (+residual).
 */
final class DeviceForward {
    /** Which attention kernel each row uses: decode for one-token rows, prefill tiles for the rest. */
    record AttentionRows(long decodeRows, int decodeCount, long prefillTiles, int prefillTileCount) {
        /** Every row is a decode row (a decode step): rows 0..count-1. */
        static AttentionRows allDecode(int count) {
            return new AttentionRows(0, count, 0, 0);
        }
    }

    private static final int ROW_THREADS = 256;

    private final CudaContext context;
    private final DeviceModel model;
    private final ModelConfig config;
    private final DeviceKvCache cache;
    private final Workspace work;
    private final AttentionPlan attention;
    private final LinearPlan.Limits limits;
    private final ActivationType type;
    private final CUstream stream;

    DeviceForward(CudaContext context, DeviceModel model, DeviceKvCache cache, Workspace work, AttentionPlan attention) {
        this.context = context;
        this.model = model;
        this.config = model.config();
        this.cache = cache;
        this.work = work;
        this.attention = attention;
        this.limits = LinearPlan.Limits.of(context.device());
        this.type = model.type();
        this.stream = context.stream();
    }

    /** Resolves every kernel and raises shared-memory limits now, so a graph capture makes only launches. */
    void prepare() {
        for (String name : KernelNames.all()) {
            Kernel kernel = context.kernel(name);
            if (name.startsWith("linear_") || name.startsWith("attention_prefill_")) {
                kernel.allowDynamicShared(limits.sharedPerBlock());
            }
        }
    }

    /** residual[r] = embedding[token[r]], then every decoder layer, then the final norm into {@code normed}. */
    void decoder(int rows, long tokens, long slots, long positions, AttentionRows attentionRows) {
        context.kernel(KernelNames.embed(type)).launch(LaunchGeometry.rows(rows, ROW_THREADS), stream,
                new KernelArgs().pointer(model.embedding()).pointer(tokens).pointer(work.residual)
                        .i32(config.hiddenSize()), "embedding of " + rows + " rows");
        for (int l = 0; l < model.layers().size(); l++) {
            layer(l, rows, slots, positions, attentionRows);
        }
        rmsNorm(rows, model.finalNorm(), "final norm");
    }

    private void layer(int l, int rows, long slots, long positions, AttentionRows attentionRows) {
        DeviceModel.Layer layer = model.layers().get(l);
        rmsNorm(rows, layer.attentionNorm(), "layer " + l + " input norm");
        linear(layer.queryKeyValue(), rows, new LinearArgs()
                .set(LinearArgs.Field.INPUT, work.normed)
                .set(LinearArgs.Field.IN_STRIDE, config.hiddenSize())
                .set(LinearArgs.Field.OUTPUT, work.queries)
                .set(LinearArgs.Field.OUT_STRIDE, config.queryDim())
                .set(LinearArgs.Field.EPILOGUE, LinearArgs.Epilogue.QKV_ROPE.code)
                .set(LinearArgs.Field.POSITIONS, positions)
                .set(LinearArgs.Field.SLOTS, slots)
                .set(LinearArgs.Field.ROPE_COS, model.ropeCos())
                .set(LinearArgs.Field.ROPE_SIN, model.ropeSin())
                .set(LinearArgs.Field.K_CACHE, cache.keys()[l])
                .set(LinearArgs.Field.V_CACHE, cache.values()[l])
                .set(LinearArgs.Field.Q_DIM, config.queryDim())
                .set(LinearArgs.Field.KV_DIM, config.kvDim())
                .set(LinearArgs.Field.HEAD_DIM, config.headDim())
                .set(LinearArgs.Field.CONTEXT, cache.context()));
        attend(l, slots, positions, attentionRows);
        linear(layer.output(), rows, addToResidual(work.attention, config.queryDim()));
        rmsNorm(rows, layer.feedForwardNorm(), "layer " + l + " post-attention norm");
        if (layer.feedForward() instanceof DeviceModel.Mlp mlp) {
            linear(mlp.gateUp(), rows, swiGlu(rows));
            linear(mlp.down(), rows, addToResidual(work.activations, config.intermediateSize()));
        } else {
            mixtureOfExperts((DeviceModel.MixtureOfExperts) layer.feedForward(), rows);
        }
    }

    private LinearArgs swiGlu(int rows) {
        return new LinearArgs()
                .set(LinearArgs.Field.INPUT, work.normed)
                .set(LinearArgs.Field.IN_STRIDE, config.hiddenSize())
                .set(LinearArgs.Field.OUTPUT, work.activations)
                .set(LinearArgs.Field.OUT_STRIDE, config.intermediateSize())
                .set(LinearArgs.Field.EPILOGUE, LinearArgs.Epilogue.SWIGLU.code);
    }

    private LinearArgs addToResidual(long input, int inputStride) {
        return new LinearArgs()
                .set(LinearArgs.Field.INPUT, input)
                .set(LinearArgs.Field.IN_STRIDE, inputStride)
                .set(LinearArgs.Field.RESIDUAL, work.residual)
                .set(LinearArgs.Field.OUT_STRIDE, config.hiddenSize())
                .set(LinearArgs.Field.EPILOGUE, LinearArgs.Epilogue.ADD_RESIDUAL.code);
    }

    /**
     * Mixtral: router logits, routing on the device, each expert on the rows routed to it (row counts read by the
     * kernels at run time, so the launches are the same every step), then the weighted sum into the residual.
     */
    private void mixtureOfExperts(DeviceModel.MixtureOfExperts moe, int rows) {
        int experts = moe.experts().size();
        int topK = moe.expertsPerToken();
        linear(moe.router(), rows, new LinearArgs()
                .set(LinearArgs.Field.INPUT, work.normed)
                .set(LinearArgs.Field.IN_STRIDE, config.hiddenSize())
                .set(LinearArgs.Field.OUTPUT, work.routerLogits)
                .set(LinearArgs.Field.OUT_STRIDE, experts)
                .set(LinearArgs.Field.EPILOGUE, LinearArgs.Epilogue.STORE_F32.code));
        int threads = Math.min(1024, Math.max(32, (Math.max(rows, experts) + 31) / 32 * 32));
        context.kernel(KernelNames.MOE_ROUTE).launch(new LaunchGeometry(1, 1, 1, threads, 0), stream,
                new KernelArgs().pointer(work.routerLogits).i32(rows).i32(experts).i32(topK).pointer(work.routeWeights)
                        .pointer(work.rowExperts).pointer(work.expertCounts).pointer(work.expertRows)
                        .pointer(work.expertOutRows), "routing " + rows + " rows over " + experts + " experts");
        for (int e = 0; e < experts; e++) {
            DeviceModel.Mlp expert = moe.experts().get(e);
            long count = work.expertCounts + 4L * e;
            long routed = work.expertRows + 4L * e * rows;
            linear(expert.gateUp(), rows, swiGlu(rows)
                    .set(LinearArgs.Field.IN_ROWS, routed)
                    .set(LinearArgs.Field.ROWS_ON_DEVICE, count));
            linear(expert.down(), rows, new LinearArgs()
                    .set(LinearArgs.Field.INPUT, work.activations)
                    .set(LinearArgs.Field.IN_STRIDE, config.intermediateSize())
                    .set(LinearArgs.Field.OUTPUT, work.expertOutputs)
                    .set(LinearArgs.Field.OUT_STRIDE, config.hiddenSize())
                    .set(LinearArgs.Field.OUT_ROWS, work.expertOutRows + 4L * e * rows)
                    .set(LinearArgs.Field.ROWS_ON_DEVICE, count)
                    .set(LinearArgs.Field.EPILOGUE, LinearArgs.Epilogue.STORE.code));
        }
        context.kernel(KernelNames.moeCombine(type)).launch(LaunchGeometry.rows(rows, ROW_THREADS), stream,
                new KernelArgs().pointer(work.expertOutputs).pointer(work.routeWeights).pointer(work.residual)
                        .i32(config.hiddenSize()).i32(topK), "combining experts of " + rows + " rows");
    }

    private void attend(int l, long slots, long positions, AttentionRows rows) {
        int heads = config.headCount();
        int kvHeads = config.kvHeadCount();
        int headDim = config.headDim();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        if (rows.decodeCount() > 0) {
            context.kernel(KernelNames.decodeAttention(type)).launch(
                    new LaunchGeometry(attention.splits(), kvHeads, rows.decodeCount(), AttentionPlan.DECODE_THREADS, 0),
                    stream, new KernelArgs().pointer(work.queries).i64(config.queryDim()).pointer(cache.keys()[l])
                            .pointer(cache.values()[l]).pointer(rows.decodeRows()).pointer(slots).pointer(positions)
                            .pointer(work.partials).i32(heads).i32(kvHeads).i32(headDim).i32(cache.context())
                            .i32(config.slidingWindow()).i32(attention.splitSize()).f32(scale),
                    "layer " + l + " decode attention, " + rows.decodeCount() + " rows");
            context.kernel(KernelNames.combineAttention(type)).launch(
                    new LaunchGeometry(heads, rows.decodeCount(), 1, AttentionPlan.COMBINE_THREADS, 0), stream,
                    new KernelArgs().pointer(work.partials).pointer(rows.decodeRows()).pointer(work.attention)
                            .i64(config.queryDim()).i32(heads).i32(headDim).i32(attention.splits()),
                    "layer " + l + " attention combine");
        }
        if (rows.prefillTileCount() > 0) {
            context.kernel(KernelNames.prefillAttention(type)).launch(
                    new LaunchGeometry(rows.prefillTileCount(), heads, 1, AttentionPlan.PREFILL_THREADS,
                            AttentionPlan.prefillSharedBytes(headDim)), stream,
                    new KernelArgs().pointer(work.queries).i64(config.queryDim()).pointer(cache.keys()[l])
                            .pointer(cache.values()[l]).pointer(rows.prefillTiles()).pointer(work.attention)
                            .i64(config.queryDim()).i32(heads).i32(kvHeads).i32(headDim).i32(cache.context())
                            .i32(config.slidingWindow()).f32(scale),
                    "layer " + l + " prefill attention, " + rows.prefillTileCount() + " tiles");
        }
    }

    private void rmsNorm(int rows, long weight, String what) {
        context.kernel(KernelNames.rmsNorm(type)).launch(LaunchGeometry.rows(rows, ROW_THREADS), stream,
                new KernelArgs().pointer(work.residual).pointer(weight).pointer(work.normed).i32(config.hiddenSize())
                        .f32((float) config.rmsNormEps()), what + ", " + rows + " rows");
    }

    /** logits[i] = lm_head(normed[inRows[i]]) for i < rows (inRows 0: rows 0..rows-1), fp32. */
    void logits(int rows, long inRows) {
        linear(model.lmHead(), rows, new LinearArgs()
                .set(LinearArgs.Field.INPUT, work.normed)
                .set(LinearArgs.Field.IN_STRIDE, config.hiddenSize())
                .set(LinearArgs.Field.IN_ROWS, inRows)
                .set(LinearArgs.Field.OUTPUT, work.logits)
                .set(LinearArgs.Field.OUT_STRIDE, config.vocabSize())
                .set(LinearArgs.Field.EPILOGUE, LinearArgs.Epilogue.STORE_F32.code));
    }

    /** tokens[i] = the choice from logits row {@code firstLogitRow + i}, by sampling row params[i]. */
    void sample(int rows, int firstLogitRow, long params, long tokens) {
        context.kernel(KernelNames.SAMPLE_TOKENS).launch(LaunchGeometry.rows(rows, 1024), stream,
                new KernelArgs().pointer(work.logits + 4L * firstLogitRow * config.vocabSize()).i64(config.vocabSize())
                        .i32(config.vocabSize()).pointer(params).pointer(tokens), "sampling " + rows + " rows");
    }

    void targetLogProbs(int rows, int firstLogitRow, long targets, long logProbs, long isArgmax) {
        context.kernel(KernelNames.TARGET_LOG_PROBS).launch(LaunchGeometry.rows(rows, 1024), stream,
                new KernelArgs().pointer(work.logits + 4L * firstLogitRow * config.vocabSize()).i64(config.vocabSize())
                        .i32(config.vocabSize()).pointer(targets).pointer(logProbs).pointer(isArgmax),
                "scoring " + rows + " targets");
    }

    void linear(DeviceLinear linear, int rows, LinearArgs call) {
        linear.launch(context, type, limits, rows, call);
    }
}
