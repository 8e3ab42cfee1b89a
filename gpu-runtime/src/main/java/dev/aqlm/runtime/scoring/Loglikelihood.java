package dev.aqlm.runtime.scoring;

/**
 * What lm-eval's {@code loglikelihood} returns: the summed log-probability of the continuation tokens, and whether
 * each of them was the model's most likely next token.
 */
public record Loglikelihood(double logLikelihood, boolean isGreedy) {
    /** An empty continuation: nothing to predict, so probability 1, and greedy over no tokens. */
    public static final Loglikelihood EMPTY = new Loglikelihood(0.0, true);
}
