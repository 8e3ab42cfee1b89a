package dev.aqlm.runtime.engine;

/** What a {@link SequenceChunk} asks the backend to return besides filling the KV cache. */
public sealed interface ChunkOutput {

    /** Nothing: a prefill chunk that does not end the prompt. */
    record CacheOnly() implements ChunkOutput {
    }

    /** The token after the chunk's last one, sampled on the backend's device. */
    record NextToken(SamplingParams sampling) implements ChunkOutput {
    }

    /**
     * A token sampled after every position of the chunk, each with that position's uniform, exactly as plain decoding
     * would sample there: what verifying a draft needs ({@link DraftVerification}), with no logits leaving the device.
     */
    record TokensAtEveryPosition(SamplingParams sampling) implements ChunkOutput {
    }

    /** fp32 logits at every position of the chunk (golden tests, debugging). */
    record AllLogits() implements ChunkOutput {
    }

    /**
     * Log-probabilities of given tokens (lm-eval scoring): {@code targets[i]} is the token expected after chunk position
     * {@code length - targets.length + i}. The backend reports each log-softmax value and whether it was the argmax.
     */
    record TargetLogProbs(int[] targets) implements ChunkOutput {
    }

    ChunkOutput CACHE_ONLY = new CacheOnly();
    ChunkOutput ALL_LOGITS = new AllLogits();
}
