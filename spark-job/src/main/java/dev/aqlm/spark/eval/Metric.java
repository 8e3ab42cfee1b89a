package dev.aqlm.spark.eval;

/** The metrics these tasks report, with lm-eval's names, aggregations and direction. */
public enum Metric {
    ACC("acc", Aggregation.MEAN, true),
    ACC_NORM("acc_norm", Aggregation.MEAN, true),
    PERPLEXITY("perplexity", Aggregation.PERPLEXITY, false),
    WORD_PERPLEXITY("word_perplexity", Aggregation.WEIGHTED_PERPLEXITY, false),
    BYTE_PERPLEXITY("byte_perplexity", Aggregation.WEIGHTED_PERPLEXITY, false),
    BITS_PER_BYTE("bits_per_byte", Aggregation.BITS_PER_BYTE, false);

    private final String key;
    private final Aggregation aggregation;
    private final boolean higherIsBetter;

    Metric(String key, Aggregation aggregation, boolean higherIsBetter) {
        this.key = key;
        this.aggregation = aggregation;
        this.higherIsBetter = higherIsBetter;
    }

    /** The name in results files, e.g. "acc_norm". */
    public String key() {
        return key;
    }

    public Aggregation aggregation() {
        return aggregation;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** Whether a document's value is a (log-likelihood, count) pair rather than one number. */
    public boolean isWeighted() {
        return aggregation == Aggregation.WEIGHTED_PERPLEXITY || aggregation == Aggregation.BITS_PER_BYTE;
    }
}
