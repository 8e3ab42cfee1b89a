package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.model.ModelConfig;
import jcuda.driver.CUstream;

/**
 * The forward pass as a sequence of kernel launches on the context's stream. Everything here only enqueues: no
 * allocation, no synchronisation, no host reads, so the same calls serve eager execution and graph capture.
 * Per layer: norm, fused q/k/v (+RoPE, + KV-cache store; a quantized cache then packs the blocks leaving the residual
 * window), attention (decode and/or prefill), o_proj (+residual),
 * norm, fused gate/up (+SwiGLU), down_proj (+residual).
 *
 * <p>A tensor-parallel shard runs the same pass over its heads and intermediate rows; its row-parallel outputs
 * (o_proj, down_proj, the expert sum) go to its exchange partial and are summed across shards into the (replicated)
 * residual, and its lm_head slice is gathered into whole logit rows, so that what follows sees the whole model.
 */
final class DeviceForward {
    /**
     * Which attention kernel each row uses: decode for the one-token rows listed at {@code decodeRows}, prefill for
     * the tiles at {@code prefillTiles}.
     */
    record AttentionRows(DeviceAddress decodeRows, int decodeCount, DeviceAddress prefillTiles, int prefillTileCount) {
    }

    /** Where a pass's rows come from: device int arrays of token, cache slot and position per row. */
    record RowInputs(DeviceAddress tokens, DeviceAddress slots, DeviceAddress positions) {
    }

    private final Kernels kernels;
    private final DeviceModel model;
    private final ModelConfig config;
    private final DeviceKvCache cache;
    private final Workspace work;
    private final AttentionPlan attention;
    private final AttentionShape attentionShape;
    private final LinearPlan.Limits limits;
    private final ActivationType type;
    /** The shard's exchange and rank, or null for a whole model. */
    private final TensorParallelExchange exchange;
    private final int rank;
    /**
     * Row pitch of the logits lm_head writes: the whole vocabulary, or for a shard the longest slice of any shard
     * (slices may differ by one; the gather reads every shard's partial rows this far apart).
     */
    private final int logitPitch;

    DeviceForward(CudaContext context, DeviceModel model, DeviceKvCache cache, Workspace work, AttentionPlan attention) {
        this(context, context.stream(), model, cache, work, attention, null, 0);
    }

    /** Shard {@code rank} of {@code exchange} (null: a whole model), launching on {@code stream}. */
    DeviceForward(CudaContext context, CUstream stream, DeviceModel model, DeviceKvCache cache, Workspace work,
                  AttentionPlan attention, TensorParallelExchange exchange, int rank) {
        this.kernels = new Kernels(context, stream);
        this.exchange = exchange;
        this.rank = rank;
        this.logitPitch = exchange == null ? model.config().vocabSize()
                : TensorParallelExchange.slicePitch(model.config().vocabSize(), exchange.shards());
        this.model = model;
        this.config = model.config();
        this.cache = cache;
        this.work = work;
        this.attention = attention;
        this.attentionShape = AttentionShape.of(config.queryDim(), config.headCount(), config.kvHeadCount(),
                config.headDim(), cache.context(), config.slidingWindow());
        this.limits = LinearPlan.Limits.of(context.device());
        this.type = model.type();
    }

    /** Resolves every kernel and raises shared-memory limits now, so a graph capture makes only launches. */
    void prepare() {
        kernels.prepare(limits);
    }

    /** residual[r] = embedding[token[r]], then every decoder layer, then the final norm into {@code normed}. */
    void decoder(int rows, RowInputs inputs, AttentionRows attentionRows) {
        kernels.embed(type, rows, model.embedding(), inputs.tokens(), work.residual.address(), config.hiddenSize());
        for (int l = 0; l < model.layers().size(); l++) {
            layer(l, rows, inputs, attentionRows);
        }
        rmsNorm(rows, model.finalNorm(), "final norm");
    }

    private void layer(int l, int rows, RowInputs inputs, AttentionRows attentionRows) {
        DeviceModel.Layer layer = model.layers().get(l);
        rmsNorm(rows, layer.attentionNorm(), "layer " + l + " input norm");
        linear(layer.queryKeyValue(), rows, new LinearArgs()
                .set(LinearArgs.Field.INPUT, work.normed.address())
                .set(LinearArgs.Field.IN_STRIDE, config.hiddenSize())
                .set(LinearArgs.Field.OUTPUT, work.queries.address())
                .set(LinearArgs.Field.OUT_STRIDE, config.queryDim())
                .epilogue(LinearArgs.Epilogue.QKV_ROPE)
                .set(LinearArgs.Field.POSITIONS, inputs.positions())
                .set(LinearArgs.Field.SLOTS, inputs.slots())
                .set(LinearArgs.Field.ROPE_COS, model.ropeCos())
                .set(LinearArgs.Field.ROPE_SIN, model.ropeSin())
                .set(LinearArgs.Field.K_CACHE, cache.layer(l).keys())
                .set(LinearArgs.Field.V_CACHE, cache.layer(l).values())
                .set(LinearArgs.Field.Q_DIM, config.queryDim())
                .set(LinearArgs.Field.KV_DIM, config.kvDim())
                .set(LinearArgs.Field.HEAD_DIM, config.headDim())
                .set(LinearArgs.Field.CONTEXT, cache.layout().ring()));
        if (cache.format().quantized()) {
            // Between the ring write and the reads, as the CPU cache packs before its reads: a query reads the block
            // that its own row moved out of the window as codes.
            kernels.kvQuantize(type, rows, cache.layer(l), inputs.slots(), inputs.positions(),
                    "layer " + l + " KV quantization");
        }
        attend(l, inputs, attentionRows);
        rowParallel(layer.output(), rows, work.attention.address(), config.queryDim(), "layer " + l + " o_proj");
        rmsNorm(rows, layer.feedForwardNorm(), "layer " + l + " post-attention norm");
        if (layer.feedForward() instanceof DeviceModel.Mlp mlp) {
            linear(mlp.gateUp(), rows, swiGlu());
            rowParallel(mlp.down(), rows, work.activations.address(), config.intermediateSize(),
                    "layer " + l + " down_proj");
        } else {
            mixtureOfExperts((DeviceModel.MixtureOfExperts) layer.feedForward(), rows, "layer " + l + " experts");
        }
    }

    private LinearArgs swiGlu() {
        return new LinearArgs()
                .set(LinearArgs.Field.INPUT, work.normed.address())
                .set(LinearArgs.Field.IN_STRIDE, config.hiddenSize())
                .set(LinearArgs.Field.OUTPUT, work.activations.address())
                .set(LinearArgs.Field.OUT_STRIDE, config.intermediateSize())
                .epilogue(LinearArgs.Epilogue.SWIGLU);
    }

    /**
     * residual += input * W^T for a layer split by its input: added in the epilogue for a whole model; for a shard,
     * stored as its partial and summed across shards.
     */
    private void rowParallel(DeviceLinear linear, int rows, DeviceAddress input, int inputStride, String what) {
        LinearArgs call = new LinearArgs()
                .set(LinearArgs.Field.INPUT, input)
                .set(LinearArgs.Field.IN_STRIDE, inputStride)
                .set(LinearArgs.Field.OUT_STRIDE, config.hiddenSize());
        if (exchange == null) {
            linear(linear, rows, call.set(LinearArgs.Field.RESIDUAL, work.residual.address())
                    .epilogue(LinearArgs.Epilogue.ADD_RESIDUAL));
            return;
        }
        linear(linear, rows, call.set(LinearArgs.Field.OUTPUT, exchange.partial(rank))
                .epilogue(LinearArgs.Epilogue.STORE_F32));
        sumAcrossShards(rows, what);
    }

    private void sumAcrossShards(int rows, String what) {
        kernels.tensorParallelExchange(exchange.sum(rank, rows, config.hiddenSize(), work.residual.address()),
                what + " all-reduce of " + rows + " rows");
    }

    /**
     * Mixtral: router logits, routing on the device, each expert on the rows routed to it (row counts read by the
     * kernels at run time, so the launches are the same every step), then the weighted sum into the residual.
     */
    private void mixtureOfExperts(DeviceModel.MixtureOfExperts moe, int rows, String what) {
        Workspace.Experts routing = work.experts;
        int experts = moe.experts().size();
        int topK = moe.expertsPerToken();
        linear(moe.router(), rows, new LinearArgs()
                .set(LinearArgs.Field.INPUT, work.normed.address())
                .set(LinearArgs.Field.IN_STRIDE, config.hiddenSize())
                .set(LinearArgs.Field.OUTPUT, routing.routerLogits().address())
                .set(LinearArgs.Field.OUT_STRIDE, experts)
                .epilogue(LinearArgs.Epilogue.STORE_F32));
        kernels.moeRoute(rows, experts, topK, routing.routerLogits().address(), routing.routeWeights().address(),
                routing.rowExperts().address(), routing.counts().address(), routing.rows().address(),
                routing.outRows().address());
        for (int e = 0; e < experts; e++) {
            DeviceModel.Mlp expert = moe.experts().get(e);
            DeviceAddress count = routing.counts().address(4L * e);
            linear(expert.gateUp(), rows, swiGlu()
                    .set(LinearArgs.Field.IN_ROWS, routing.rows().address(4L * e * rows))
                    .set(LinearArgs.Field.ROWS_ON_DEVICE, count));
            linear(expert.down(), rows, new LinearArgs()
                    .set(LinearArgs.Field.INPUT, work.activations.address())
                    .set(LinearArgs.Field.IN_STRIDE, config.intermediateSize())
                    .set(LinearArgs.Field.OUTPUT, routing.outputs().address())
                    .set(LinearArgs.Field.OUT_STRIDE, config.hiddenSize())
                    .set(LinearArgs.Field.OUT_ROWS, routing.outRows().address(4L * e * rows))
                    .set(LinearArgs.Field.ROWS_ON_DEVICE, count)
                    .epilogue(LinearArgs.Epilogue.STORE));
        }
        if (exchange == null) {
            kernels.moeCombine(type, rows, routing.outputs().address(), routing.routeWeights().address(),
                    work.residual.address(), config.hiddenSize(), topK);
            return;
        }
        // A shard's experts hold part of each intermediate: combine its partial outputs from zero, then sum shards.
        kernels.fillF32(exchange.partial(rank), (long) rows * config.hiddenSize(), 0f, what + " partial");
        kernels.moeCombine(type, rows, routing.outputs().address(), routing.routeWeights().address(),
                exchange.partial(rank), config.hiddenSize(), topK);
        sumAcrossShards(rows, what);
    }

    private void attend(int l, RowInputs inputs, AttentionRows rows) {
        DeviceAddress queries = work.queries.address();
        if (rows.decodeCount() > 0) {
            kernels.decodeAttention(type, attention, attentionShape, rows.decodeCount(), queries, cache.layer(l),
                    rows.decodeRows(), inputs.slots(), inputs.positions(), work.partials.address(),
                    "layer " + l + " decode attention");
            kernels.combineAttention(type, attention, attentionShape, rows.decodeCount(), work.partials.address(),
                    rows.decodeRows(), work.attention.address(), "layer " + l + " attention combine");
        }
        if (rows.prefillTileCount() > 0) {
            kernels.prefillAttention(type, attentionShape, rows.prefillTileCount(), queries, cache.layer(l),
                    rows.prefillTiles(), work.attention.address(),
                    "layer " + l + " prefill attention");
        }
    }

    /** Every layer's positions [from, to) of {@code slot} back into the quantized cache's ring (see RingRestores). */
    void restoreRing(int slot, int from, int to) {
        for (int l = 0; l < model.layers().size(); l++) {
            kernels.kvRestore(type, cache.layer(l), slot, from, to - from, "layer " + l + " KV ring restore");
        }
    }

    private void rmsNorm(int rows, DeviceAddress weight, String what) {
        kernels.rmsNorm(type, rows, work.residual.address(), weight, work.normed.address(), config.hiddenSize(),
                (float) config.rmsNormEps(), what);
    }

    /**
     * logits[i] = lm_head(normed[inRows[i]]) for i < rows (inRows NULL: rows 0..rows-1), fp32; a shard computes its
     * vocabulary slice and gathers the others', so every shard holds whole rows.
     */
    void logits(int rows, DeviceAddress inRows) {
        DeviceAddress output = exchange == null ? work.logits.address() : exchange.partial(rank);
        linear(model.lmHead(), rows, new LinearArgs()
                .set(LinearArgs.Field.INPUT, work.normed.address())
                .set(LinearArgs.Field.IN_STRIDE, config.hiddenSize())
                .set(LinearArgs.Field.IN_ROWS, inRows)
                .set(LinearArgs.Field.OUTPUT, output)
                .set(LinearArgs.Field.OUT_STRIDE, logitPitch)
                .epilogue(LinearArgs.Epilogue.STORE_F32));
        if (exchange != null) {
            kernels.tensorParallelExchange(exchange.gather(rank, rows, logitPitch, config.vocabSize(),
                    work.logits.address()), "lm_head all-gather of " + rows + " rows");
        }
    }

    /** The fp32 logits row {@code row} of the last {@link #logits} call. */
    private DeviceAddress logitRow(int row) {
        return work.logits.address(4L * row * config.vocabSize());
    }

    /** tokens[i] = the choice from logits row {@code firstLogitRow + i}, by sampling row params[i]. */
    void sample(int rows, int firstLogitRow, DeviceAddress params, DeviceAddress tokens) {
        kernels.sampleTokens(rows, logitRow(firstLogitRow), config.vocabSize(), params, tokens, "sampling");
    }

    void targetLogProbs(int rows, int firstLogitRow, DeviceAddress targets, DeviceAddress logProbs,
                        DeviceAddress isArgmax) {
        kernels.targetLogProbs(rows, logitRow(firstLogitRow), config.vocabSize(), targets, logProbs, isArgmax,
                "scoring");
    }

    private void linear(DeviceLinear linear, int rows, LinearArgs call) {
        linear.launch(kernels, type, limits, rows, call);
    }
}
