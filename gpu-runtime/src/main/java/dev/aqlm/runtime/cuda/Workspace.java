package dev.aqlm.runtime.cuda;

import dev.aqlm.runtime.model.ModelConfig;

/**
 * Activation buffers of the forward pass, sized once for {@code rows} rows per pass, {@code decodeRows} rows of
 * decode attention and {@code logitRows} rows of logits. Decode steps and eager passes share them (one stream runs one
 * at a time), and captured graphs keep their addresses.
 */
final class Workspace {
    final int rows;
    final int decodeRows;
    final int logitRows;
    final long residual;     // f32 [rows][hidden]
    final long normed;       // T [rows][hidden]
    final long queries;      // T [rows][q_dim]
    final long attention;    // T [rows][q_dim]
    final long activations;  // T [rows][intermediate]
    final long partials;     // f32 [decodeRows][heads][splits][head_dim + 2], splits <= AttentionPlan.MAX_SPLITS
    final long logits;       // f32 [logitRows][vocab]
    final long sampled;      // int [rows]
    final long logProbs;     // f32 [rows]
    final long isArgmax;     // int [rows]
    final DeviceBuffer logitsBuffer;
    final DeviceBuffer sampledBuffer;
    final DeviceBuffer logProbsBuffer;
    final DeviceBuffer isArgmaxBuffer;
    final DeviceBuffer batchInputs;
    final DeviceBuffer stepInputs;
    final long routerLogits;   // f32 [rows][experts]
    final long routeWeights;   // f32 [rows][top_k]
    final long rowExperts;     // int [rows][top_k]
    final long expertCounts;   // int [experts]
    final long expertRows;     // int [experts][rows]
    final long expertOutRows;  // int [experts][rows]
    final long expertOutputs;  // T [rows * top_k][hidden]

    Workspace(DeviceMemoryPool pool, ModelConfig config, int rows, int decodeRows, int logitRows, BatchInputs batch,
              DecodeStepInputs step) {
        this.rows = rows;
        this.decodeRows = decodeRows;
        this.logitRows = logitRows;
        int hidden = config.hiddenSize();
        residual = pool.allocate(4L * rows * hidden, "residual stream").address();
        normed = pool.allocate(2L * rows * hidden, "normed activations").address();
        queries = pool.allocate(2L * rows * config.queryDim(), "queries").address();
        this.attention = pool.allocate(2L * rows * config.queryDim(), "attention output").address();
        activations = pool.allocate(2L * rows * config.intermediateSize(), "SwiGLU activations").address();
        // Sized for the most splits any context length gets, so the cache can be sized after the workspace.
        partials = pool.allocate(4L * decodeRows * config.headCount() * AttentionPlan.MAX_SPLITS
                * (config.headDim() + 2), "decode attention partials").address();
        logitsBuffer = pool.allocate(4L * logitRows * config.vocabSize(), "logits");
        sampledBuffer = pool.allocate(4L * rows, "sampled tokens");
        logProbsBuffer = pool.allocate(4L * rows, "target log-probabilities");
        isArgmaxBuffer = pool.allocate(4L * rows, "target is-argmax flags");
        logits = logitsBuffer.address();
        sampled = sampledBuffer.address();
        logProbs = logProbsBuffer.address();
        isArgmax = isArgmaxBuffer.address();
        batchInputs = pool.allocate(batch.bytes(), "pass inputs");
        stepInputs = pool.allocate(step.bytes(), "decode step inputs");
        if (config.isMixtureOfExperts()) {
            int experts = config.expertCount();
            int topK = config.expertsPerToken();
            routerLogits = pool.allocate(4L * rows * experts, "router logits").address();
            routeWeights = pool.allocate(4L * rows * topK, "routing weights").address();
            rowExperts = pool.allocate(4L * rows * topK, "routed experts").address();
            expertCounts = pool.allocate(4L * experts, "rows per expert").address();
            expertRows = pool.allocate(4L * experts * rows, "rows of each expert").address();
            expertOutRows = pool.allocate(4L * experts * rows, "output rows of each expert").address();
            expertOutputs = pool.allocate(2L * rows * topK * hidden, "expert outputs").address();
        } else {
            routerLogits = routeWeights = rowExperts = expertCounts = expertRows = expertOutRows = expertOutputs = 0;
        }
    }
}
