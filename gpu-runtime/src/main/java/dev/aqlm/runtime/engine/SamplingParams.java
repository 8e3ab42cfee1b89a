package dev.aqlm.runtime.engine;

/**
 * How the next token is chosen. Temperature 0 is greedy (argmax, the lowest id on ties). Otherwise logits are divided
 * by the temperature, cut to the top-k (0 = all), then to the smallest set whose probability reaches top-p (1 = all),
 * and one token is drawn with a random number that depends only on (seed, position): the same request gives the same
 * tokens whatever else shares its batch, and a retried Spark task reproduces its rows.
 */
public record SamplingParams(double temperature, int topK, double topP, long seed) {
    public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, 0);

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new InvalidRequestException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new InvalidRequestException("top_k must be >= 0 (0 keeps every token), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new InvalidRequestException("top_p must be in (0, 1], got " + topP);
        }
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public SamplingParams withSeed(long newSeed) {
        return new SamplingParams(temperature, topK, topP, newSeed);
    }
}
