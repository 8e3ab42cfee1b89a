package dev.aqlm.spark.eval;

import java.util.List;

/**
 * The facts of one evaluation that results files record besides the numbers: the model as the user named it, the
 * lm-eval rule set, lengths and batching, the device, limits, tokenizer special tokens, and timing.
 *
 * @param model           the model directory as given (lm-eval's {@code pretrained=})
 * @param rule            "current" or "v0.4.0"
 * @param batchSize       KV slots scored together
 * @param device          the backend's description
 * @param limit           {@code --limit}, or null
 * @param prefixTokenId   the token that conditions empty contexts and the first rolling window
 * @param bosToken        the tokenizer's BOS text and id (or null)
 * @param eosToken        the tokenizer's EOS text and id (or null)
 * @param startNanos      {@code System.nanoTime()} when the evaluation began
 * @param endNanos        and ended
 * @param throughput      requests/s, tokens/s and the like, for the record
 * @param kvCache         the KV cache as model arguments ("kv_cache_bits=16", or bits, group and residual length)
 */
public record EvaluationRun(String model, String rule, int maxLength, int batchSize, int maxBatchTokens, String device,
                            Double limit, int bootstrapIterations, int prefixTokenId, List<Object> bosToken,
                            List<Object> eosToken, long startNanos, long endNanos, String throughput,
                            String kvCache) {
    /** A run with the 16-bit KV cache. */
    public EvaluationRun(String model, String rule, int maxLength, int batchSize, int maxBatchTokens, String device,
                         Double limit, int bootstrapIterations, int prefixTokenId, List<Object> bosToken,
                         List<Object> eosToken, long startNanos, long endNanos, String throughput) {
        this(model, rule, maxLength, batchSize, maxBatchTokens, device, limit, bootstrapIterations, prefixTokenId,
                bosToken, eosToken, startNanos, endNanos, throughput, KV_CACHE_16);
    }

    private static final String KV_CACHE_16 = "kv_cache_bits=16";

    /** A run of {@code model} scored on a host described by {@code facts}. */
    public static EvaluationRun of(String model, String rule, ScoringFacts facts, int maxBatchTokens, Double limit,
                                   int bootstrapIterations, long startNanos, long endNanos, String throughput) {
        return new EvaluationRun(model, rule, facts.maxLength(), facts.batchSize(), maxBatchTokens, facts.device(),
                limit, bootstrapIterations, facts.prefixTokenId(), facts.bosToken(), facts.eosToken(), startNanos,
                endNanos, throughput, facts.kvCache());
    }

    /** lm-eval's model arguments string for this run; a quantized KV cache is named there, as it moves the numbers. */
    public String modelArgs() {
        return "pretrained=" + model + ",max_length=" + maxLength + ",rule=" + rule
                + (kvCache.equals(KV_CACHE_16) ? "" : "," + kvCache);
    }

    public double seconds() {
        return (endNanos - startNanos) / 1e9;
    }
}
