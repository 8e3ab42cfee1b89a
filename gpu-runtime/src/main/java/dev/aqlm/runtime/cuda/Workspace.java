package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.model.ModelConfig;

/**
 * Activation buffers of the forward pass, sized once for {@code rows} rows per pass, {@code decodeRows} rows of
 * decode attention and {@code logitRows} rows of logits. Decode steps and eager passes share them (one stream runs one
 * at a time), and captured graphs keep their addresses. The buffers belong to the backend's pool; kernels get their
 * addresses from them ({@link DeviceBuffer#address}), so no address outlives or strays from its buffer.
 */
final class Workspace {
    final int rows;
    final int decodeRows;
    final int logitRows;
    final DeviceBuffer residual;     // f32 [rows][hidden]
    final DeviceBuffer normed;       // T [rows][hidden]
    final DeviceBuffer queries;      // T [rows][q_dim]
    final DeviceBuffer attention;    // T [rows][q_dim]
    final DeviceBuffer activations;  // T [rows][intermediate]
    final DeviceBuffer partials;     // f32 [decodeRows][heads][splits][head_dim + 2], splits <= AttentionPlan.MAX_SPLITS
    final DeviceBuffer logits;       // f32 [logitRows][vocab]
    /** Per output row of a pass (or per row of a graph step): int [rows] each. */
    final DeviceBuffer sampled;
    final DeviceBuffer logProbs;     // f32
    final DeviceBuffer isArgmax;     // int
    final DeviceBuffer batchInputs;
    /** Mixture-of-experts routing; null for dense models. */
    final Experts experts;

    /** The routing buffers of a mixture-of-experts model. */
    record Experts(DeviceBuffer routerLogits,   // f32 [rows][experts]
                   DeviceBuffer routeWeights,   // f32 [rows][top_k]
                   DeviceBuffer rowExperts,     // int [rows][top_k]
                   DeviceBuffer counts,         // int [experts]
                   DeviceBuffer rows,           // int [experts][rows]
                   DeviceBuffer outRows,        // int [experts][rows]
                   DeviceBuffer outputs) {      // T [rows * top_k][hidden]
    }

    Workspace(DeviceMemoryPool pool, ModelConfig config, int rows, int decodeRows, int logitRows, BatchInputs batch) {
        this.rows = rows;
        this.decodeRows = decodeRows;
        this.logitRows = logitRows;
        int hidden = config.hiddenSize();
        residual = pool.allocate(4L * rows * hidden, "residual stream");
        normed = pool.allocate(2L * rows * hidden, "normed activations");
        queries = pool.allocate(2L * rows * config.queryDim(), "queries");
        attention = pool.allocate(2L * rows * config.queryDim(), "attention output");
        activations = pool.allocate(2L * rows * config.intermediateSize(), "SwiGLU activations");
        // Sized for the most splits any context length gets, so the cache can be sized after the workspace.
        partials = pool.allocate(4L * decodeRows * config.headCount() * AttentionPlan.MAX_SPLITS
                * (config.headDim() + 2), "decode attention partials");
        logits = pool.allocate(4L * logitRows * config.vocabSize(), "logits");
        sampled = pool.allocate(4L * rows, "sampled tokens");
        logProbs = pool.allocate(4L * rows, "target log-probabilities");
        isArgmax = pool.allocate(4L * rows, "target is-argmax flags");
        batchInputs = pool.allocate(batch.bytes(), "pass inputs");
        if (config.isMixtureOfExperts()) {
            int count = config.expertCount();
            int topK = config.expertsPerToken();
            experts = new Experts(pool.allocate(4L * rows * count, "router logits"),
                    pool.allocate(4L * rows * topK, "routing weights"),
                    pool.allocate(4L * rows * topK, "routed experts"),
                    pool.allocate(4L * count, "rows per expert"),
                    pool.allocate(4L * count * rows, "rows of each expert"),
                    pool.allocate(4L * count * rows, "output rows of each expert"),
                    pool.allocate(2L * rows * topK * hidden, "expert outputs"));
        } else {
            experts = null;
        }
    }
}
