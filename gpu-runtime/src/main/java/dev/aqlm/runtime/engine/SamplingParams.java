package dev.aqlm.runtime.engine;

/**
 * How the next token is chosen. Temperature 0 is greedy (argmax, the lowest id on ties). Otherwise logits are divided
 * by the temperature, cut to the top-k (0 = all), then to the smallest set whose probability reaches top-p (1 = all),
 * then to the tokens whose probability is at least min-p times the most likely token's (0 = all; Hugging Face's
 * order: min-p after top-p), and one token is drawn with a random number that depends only on (seed, position): the
 * same request gives the same tokens whatever else shares its batch, and a retried Spark task reproduces its rows.
 * Ranges are {@link GenerationOptions}' (the one place that states them).
 */
public record SamplingParams(double temperature, int topK, double topP, double minP, long seed) {
    public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, 0, 0);

    public SamplingParams {
        GenerationOptions.TEMPERATURE.requireValid(temperature, "temperature");
        GenerationOptions.TOP_K.requireValid(topK, "top_k");
        GenerationOptions.TOP_P.requireValid(topP, "top_p");
        GenerationOptions.MIN_P.requireValid(minP, "min_p");
    }

    /** Without min-p. */
    public SamplingParams(double temperature, int topK, double topP, long seed) {
        this(temperature, topK, topP, 0, seed);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public SamplingParams withSeed(long newSeed) {
        return new SamplingParams(temperature, topK, topP, minP, newSeed);
    }
}
