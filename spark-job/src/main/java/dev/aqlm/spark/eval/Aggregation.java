package dev.aqlm.spark.eval;

import java.util.OptionalDouble;

/**
 * How lm-eval turns per-document values into a task's number ({@code lm_eval/api/metrics.py}), and its standard
 * error: Bessel-corrected for means, Python-MT bootstrap for perplexity, none (reported "N/A") for the weighted ones.
 * Sums run left to right, as Python's {@code sum} over a list does.
 */
public enum Aggregation {
    /** {@code sum(x) / len(x)}. */
    MEAN("mean"),
    /** {@code exp(-mean(log-likelihoods))}. */
    PERPLEXITY("perplexity"),
    /** {@code exp(-sum(ll) / sum(count))}, count = words or bytes. */
    WEIGHTED_PERPLEXITY("weighted_perplexity"),
    /** {@code -sum(ll) / sum(bytes) / ln 2}. */
    BITS_PER_BYTE("bits_per_byte");

    private final String label;

    Aggregation(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** @param weights per-document counts for the weighted aggregations, else ignored */
    public double aggregate(double[] values, double[] weights) {
        return switch (this) {
            case MEAN -> mean(values);
            case PERPLEXITY -> perplexity(values);
            case WEIGHTED_PERPLEXITY -> Math.exp(-weightedMean(values, weights));
            case BITS_PER_BYTE -> -weightedMean(values, weights) / Math.log(2);
        };
    }

    /** The standard error lm-eval reports, or empty where it reports "N/A" (one document, or no formula). */
    public OptionalDouble stderr(double[] values, int bootstrapIterations) {
        if (values.length <= 1) {
            return OptionalDouble.empty();
        }
        return switch (this) {
            case MEAN -> OptionalDouble.of(sampleStddev(values) / Math.sqrt(values.length));
            case PERPLEXITY -> bootstrapIterations <= 0 ? OptionalDouble.empty()
                    : OptionalDouble.of(BootstrapStderr.ofMeanStatistic(values, bootstrapIterations, mean -> Math.exp(-mean)));
            case WEIGHTED_PERPLEXITY, BITS_PER_BYTE -> OptionalDouble.empty();
        };
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    static double perplexity(double[] logLikelihoods) {
        return Math.exp(-mean(logLikelihoods));
    }

    /** {@code sqrt(sum((x - mean)^2) / (n - 1))}. */
    static double sampleStddev(double[] values) {
        double mu = mean(values);
        double squares = 0;
        for (double value : values) {
            squares += (value - mu) * (value - mu);
        }
        return Math.sqrt(squares / (values.length - 1));
    }

    private static double weightedMean(double[] values, double[] weights) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < values.length; i++) {
            sum += values[i];
            total += weights[i];
        }
        return sum / total;
    }
}
