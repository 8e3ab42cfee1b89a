package dev.aqlm.runtime.engine;

/**
 * What speculation did for one sequence, measured: draft tokens proposed, draft tokens the model accepted, and the
 * model's forward passes that produced tokens for it (the pass ending its prompt, then one per decode or verification
 * step). Without speculation drafted and accepted are 0 and every pass yields one token.
 */
public record SpeculationCounts(int drafted, int accepted, int forwardPasses) {
    public static final SpeculationCounts NONE = new SpeculationCounts(0, 0, 0);

    public SpeculationCounts plus(SpeculationCounts other) {
        return new SpeculationCounts(drafted + other.drafted, accepted + other.accepted,
                forwardPasses + other.forwardPasses);
    }

    /** Accepted share of drafted tokens, or 0 with no drafts. */
    public double acceptanceRate() {
        return drafted == 0 ? 0 : (double) accepted / drafted;
    }

    /** One line for stderr and job summaries. */
    public String describe(int generatedTokens) {
        return String.format(java.util.Locale.ROOT,
                "speculation: %d drafted, %d accepted (%.0f%%), %.2f accepted per pass, %d forward passes,"
                        + " %.2f tokens per pass",
                drafted, accepted, 100 * acceptanceRate(), forwardPasses == 0 ? 0.0 : (double) accepted / forwardPasses,
                forwardPasses,
                forwardPasses == 0 ? 0.0 : (double) generatedTokens / forwardPasses);
    }
}
