package dev.aqlm.spark.eval;

import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;

/**
 * lm-eval's {@code bootstrap_stderr}: {@code iterations / 1000} chunks; chunk {@code i} seeds
 * {@code random.Random(i)} and draws 1000 resamples with {@code choices(xs, k=len(xs))}; the standard error is the
 * Bessel-corrected standard deviation of all replicate statistics, in chunk order. The chunks are independent, so
 * they run in parallel and give the same number as Python's process pool does.
 *
 * <p>The statistics bootstrapped here (perplexity) are functions of the resample's mean, so a resample is summed as
 * it is drawn (in draw order, as Python's {@code sum} adds the drawn list) instead of being materialized.
 */
public final class BootstrapStderr {
    static final int CHUNK = 1000;

    private BootstrapStderr() {
    }

    /** @param fromMean the statistic of a resample given its mean, e.g. {@code m -> exp(-m)} for perplexity */
    public static double ofMeanStatistic(double[] items, int iterations, DoubleUnaryOperator fromMean) {
        int chunk = Math.min(CHUNK, iterations);
        int chunks = iterations / chunk;
        double[][] replicates = IntStream.range(0, chunks).parallel().mapToObj(seed -> {
            PythonRandom random = new PythonRandom(seed);
            double[] values = new double[chunk];
            for (int r = 0; r < chunk; r++) {
                double sum = 0;
                for (int i = 0; i < items.length; i++) {
                    sum += items[random.choiceIndex(items.length)];
                }
                values[r] = fromMean.applyAsDouble(sum / items.length);
            }
            return values;
        }).toArray(double[][]::new);
        double[] all = new double[chunks * chunk];
        for (int c = 0; c < chunks; c++) {
            System.arraycopy(replicates[c], 0, all, c * chunk, chunk);
        }
        return Aggregation.sampleStddev(all);
    }
}
