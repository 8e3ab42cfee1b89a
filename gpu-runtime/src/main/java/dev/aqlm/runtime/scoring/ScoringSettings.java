package dev.aqlm.runtime.scoring;

import dev.aqlm.runtime.engine.InvalidRequestException;

/**
 * How to score: which lm-eval rules build the requests, the model's {@code max_length} (inputs are truncated from
 * the left to it; rolling windows are this long), and how many tokens one batched forward pass may carry (bounds
 * memory: a scored token's log-softmax runs over the whole vocabulary).
 */
public record ScoringSettings(ScoringRules rules, int maxLength, int maxBatchTokens) {
    public static final int DEFAULT_MAX_BATCH_TOKENS = 8192;

    public ScoringSettings {
        if (maxLength < 1) {
            throw new InvalidRequestException("max length must be at least 1, got " + maxLength);
        }
        if (maxBatchTokens < 1) {
            throw new InvalidRequestException("max batch tokens must be at least 1, got " + maxBatchTokens);
        }
    }

    public static ScoringSettings of(ScoringRules rules, int maxLength) {
        return new ScoringSettings(rules, maxLength, DEFAULT_MAX_BATCH_TOKENS);
    }
}
