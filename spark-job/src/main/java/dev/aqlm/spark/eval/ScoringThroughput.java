package dev.aqlm.spark.eval;

import dev.aqlm.runtime.scoring.ScoringStats;
import java.io.Serializable;
import java.util.Locale;

/**
 * How fast requests were scored: lm-eval requests, the model inputs they became (rolling windows included), distinct
 * inputs, tokens as requested and as computed after prefix sharing, forward passes, and the seconds they took. Sums
 * over Spark chunks; a plain serializable class so executors can send it back.
 */
public final class ScoringThroughput implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final ScoringThroughput NONE = new ScoringThroughput(0, 0, 0, 0, 0, 0, 0);

    private final long requests;
    private final long inputs;
    private final long distinctInputs;
    private final long requestedTokens;
    private final long computedTokens;
    private final long forwardPasses;
    private final double seconds;

    private ScoringThroughput(long requests, long inputs, long distinctInputs, long requestedTokens,
                              long computedTokens, long forwardPasses, double seconds) {
        this.requests = requests;
        this.inputs = inputs;
        this.distinctInputs = distinctInputs;
        this.requestedTokens = requestedTokens;
        this.computedTokens = computedTokens;
        this.forwardPasses = forwardPasses;
        this.seconds = seconds;
    }

    /** {@code requests} lm-eval requests scored by a scorer whose stats are {@code stats}, in {@code seconds}. */
    public static ScoringThroughput of(long requests, ScoringStats stats, double seconds) {
        return new ScoringThroughput(requests, stats.requests(), stats.distinctInputs(), stats.requestedTokens(),
                stats.computedTokens(), stats.forwardPasses(), seconds);
    }

    /** Both together: counts and seconds add up (busy time, when the two ran one after the other). */
    public ScoringThroughput plus(ScoringThroughput other) {
        return new ScoringThroughput(requests + other.requests, inputs + other.inputs,
                distinctInputs + other.distinctInputs, requestedTokens + other.requestedTokens,
                computedTokens + other.computedTokens, forwardPasses + other.forwardPasses, seconds + other.seconds);
    }

    /** The same work over another time span (e.g. the wall time of chunks that ran in parallel). */
    public ScoringThroughput over(double wallSeconds) {
        return new ScoringThroughput(requests, inputs, distinctInputs, requestedTokens, computedTokens, forwardPasses,
                wallSeconds);
    }

    public long requests() {
        return requests;
    }

    public long requestedTokens() {
        return requestedTokens;
    }

    public double seconds() {
        return seconds;
    }

    public double requestsPerSecond() {
        return requests / Math.max(seconds, 1e-9);
    }

    public double tokensPerSecond() {
        return requestedTokens / Math.max(seconds, 1e-9);
    }

    /** The line eval prints on stderr and records in the results file. */
    public String describe() {
        double time = Math.max(seconds, 1e-9);
        return String.format(Locale.ROOT, "scored %d requests in %.2f s: %.1f requests/s, %.0f tokens/s (%d tokens"
                        + " in %d model inputs, %d distinct; %d tokens computed after prefix sharing, %.0f/s; %d forward"
                        + " passes)", requests, seconds, requests / time, requestedTokens / time, requestedTokens,
                inputs, distinctInputs, computedTokens, computedTokens / time, forwardPasses);
    }

    @Override
    public String toString() {
        return describe();
    }
}
