package dev.aqlm.runtime.scoring;

import dev.aqlm.runtime.engine.InvalidRequestException;
import java.util.Arrays;

/**
 * What the model actually runs for one request, as lm-eval builds it: context + continuation truncated from the left
 * to {@code maxLength + 1} tokens, minus the last token. The logits at input positions {@code scoredFrom()} and later
 * predict the continuation tokens ({@code targets}). Equality is by content, so identical requests meet.
 */
final class ScoringInput {
    final int[] tokens;
    final int[] targets;
    private final int hash;

    private ScoringInput(int[] tokens, int[] targets) {
        this.tokens = tokens;
        this.targets = targets;
        this.hash = 31 * Arrays.hashCode(tokens) + Arrays.hashCode(targets);
    }

    /** The model input of a request with a non-empty continuation. */
    static ScoringInput of(TokenizedRequest request, int maxLength) {
        int[] continuation = request.continuation();
        if (continuation.length > maxLength) {
            throw new InvalidRequestException("a continuation of " + continuation.length
                    + " tokens is longer than max length " + maxLength + ", so it cannot be scored (lm-eval refuses"
                    + " it too); raise --max-length");
        }
        if (request.context().length == 0) {
            throw new InvalidRequestException("a request needs at least one context token to condition on (lm-eval"
                    + " puts the prefix token there when the context is empty)");
        }
        int total = request.length();
        int start = Math.max(0, total - (maxLength + 1));
        int[] tokens = new int[total - 1 - start];
        for (int i = start; i < total - 1; i++) {
            tokens[i - start] = i < request.context().length
                    ? request.context()[i]
                    : continuation[i - request.context().length];
        }
        return new ScoringInput(tokens, continuation.clone());
    }

    int length() {
        return tokens.length;
    }

    /** The first input position whose logits are scored; every position before it only fills the KV cache. */
    int scoredFrom() {
        return tokens.length - targets.length;
    }

    /** The unscored input prefix: requests with the same one can share its KV cache. */
    TokenPrefix sharablePrefix() {
        return new TokenPrefix(Arrays.copyOf(tokens, scoredFrom()));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScoringInput that && hash == that.hash && Arrays.equals(tokens, that.tokens)
                && Arrays.equals(targets, that.targets);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Token ids compared by content (a map key). */
    record TokenPrefix(int[] tokens) {
        @Override
        public boolean equals(Object other) {
            return other instanceof TokenPrefix that && Arrays.equals(tokens, that.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }
    }
}
