package dev.aqlm.runtime.bench;

/**
 * One measured row of the speculation benchmark: {@code batch} sequences generating {@code newTokens} tokens each
 * through the scheduler, with one way of drafting.
 *
 * @param mode               "plain", "self-draft K" (the model drafts for itself: every draft is right) or
 *                           "prompt-lookup K"
 * @param mainPasses         batched forward passes of the model (prefill steps included)
 * @param tokensPerPass      generated tokens per pass of the model, per sequence (1.0 for plain decoding)
 * @param acceptance         accepted / drafted tokens (NaN without drafts)
 * @param seconds            wall time of the whole generation
 * @param mainSeconds        of which inside the model's forward passes (the rest: drafting and the host)
 * @param tokensPerSecond    generated tokens / wall time, all sequences together
 * @param ceilingTokensPerSecond generated tokens / mainSeconds: the rate if drafting cost nothing
 * @param speedup            tokensPerSecond / the plain row's at the same batch
 */
public record SpeculationBenchResult(String model, String device, String mode, int batch, int newTokens,
                                     int mainPasses, double tokensPerPass, double acceptance, double seconds,
                                     double mainSeconds, double tokensPerSecond, double ceilingTokensPerSecond,
                                     double speedup) {

    SpeculationBenchResult comparedWith(SpeculationBenchResult plain) {
        return new SpeculationBenchResult(model, device, mode, batch, newTokens, mainPasses, tokensPerPass, acceptance,
                seconds, mainSeconds, tokensPerSecond, ceilingTokensPerSecond,
                tokensPerSecond / plain.tokensPerSecond());
    }
}
