package dev.aqlm.runtime.scoring;

/**
 * What scoring cost, summed over a scorer's calls: requests asked, distinct inputs run, forward passes, and tokens:
 * as requested (every request's full input) and as computed (after deduplication and prefix sharing).
 */
public final class ScoringStats {
    long requests;
    long distinctInputs;
    long forwardPasses;
    long requestedTokens;
    long computedTokens;
    long nanos;

    public long requests() {
        return requests;
    }

    public long distinctInputs() {
        return distinctInputs;
    }

    public long forwardPasses() {
        return forwardPasses;
    }

    public long requestedTokens() {
        return requestedTokens;
    }

    public long computedTokens() {
        return computedTokens;
    }

    public double seconds() {
        return nanos / 1e9;
    }

    @Override
    public String toString() {
        double seconds = Math.max(seconds(), 1e-9);
        return String.format(java.util.Locale.ROOT,
                "%d requests (%d distinct inputs) in %.2f s: %.1f requests/s; %d tokens requested, %d computed"
                        + " (%.0f%% saved by deduplication and prefix sharing): %.0f tokens/s requested, %.0f computed;"
                        + " %d forward passes",
                requests, distinctInputs, seconds, requests / seconds, requestedTokens, computedTokens,
                requestedTokens == 0 ? 0.0 : 100.0 * (requestedTokens - computedTokens) / requestedTokens,
                requestedTokens / seconds, computedTokens / seconds, forwardPasses);
    }
}
