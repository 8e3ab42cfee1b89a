package dev.aqlm.runtime.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.synthetic.SyntheticModelWriter;
import dev.aqlm.runtime.synthetic.SyntheticShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With sampling, the tokens speculation emits have the model's distribution. On an 8-token synthetic model every
 * probability is known: the exact distribution of the first two sampled tokens (the first from the prompt's pass, the
 * second the first one a draft is verified for) is computed from the model's logits, and the counts over many seeds
 * with plain decoding, prompt lookup and an assistant are each tested against it.
 */
class SpeculativeSamplingDistributionTest {
    private static final SyntheticShape EIGHT_TOKENS = new SyntheticShape(1, 32, 64, 2, 1, 8, 64);
    /** Sharpens the small random logits so the distribution is far from uniform. */
    private static final double TEMPERATURE = 0.05;
    private static final int SEEDS = 4000;
    private static final int[] PROMPT = {0, 1, 2, 3, 4, 5, 6, 7, 0}; // every token occurs: a 1-gram always matches

    @TempDir
    Path dir;

    @Test
    void firstSpeculatedTokenHasTheModelsDistribution() {
        new SyntheticModelWriter(EIGHT_TOKENS, DType.F32, null, 1).withoutTokenizer().write(dir.resolve("main"));
        new SyntheticModelWriter(EIGHT_TOKENS, DType.F32, null, 2).withoutTokenizer().write(dir.resolve("assistant"));
        EngineOptions options = EngineOptions.cpu().withSlots(32).withContextLength(16);
        try (LanguageModel model = LanguageModel.load(dir.resolve("main"), options)) {
            double[] expected = pairProbabilities(model);
            List<Speculation> ways = List.of(Speculation.NONE, new Speculation.PromptLookup(2, 2),
                    new Speculation.Assistant(dir.resolve("assistant").toString(), 2));
            for (Speculation way : ways) {
                List<GenerationRequest> requests = new ArrayList<>();
                for (int seed = 0; seed < SEEDS; seed++) {
                    requests.add(new GenerationRequest("s" + seed, PROMPT, new SamplingParams(TEMPERATURE, 0, 1, seed),
                            3, Set.of(), List.of(), null, false, way)); // 3: room for one draft after the first
                }
                long[] counts = new long[64];
                SpeculationCounts total = SpeculationCounts.NONE;
                for (GenerationResult result : model.generateRequests(requests)) {
                    counts[result.completionTokens()[0] * 8 + result.completionTokens()[1]]++;
                    total = total.plus(result.speculation());
                }
                ChiSquare test = ChiSquare.of(counts, expected);
                // p = 0.001 critical value; the seeds are fixed, so the test gives the same statistic on every run.
                assertThat(test.statistic()).as(way.describe() + ": chi-square over " + test.degreesOfFreedom()
                        + " degrees of freedom").isLessThan(test.criticalValueAt001());
                if (way != Speculation.NONE) {
                    assertThat(total.drafted()).as(way.describe() + " verified drafts").isEqualTo(SEEDS);
                    assertThat(total.accepted()).as("some drafts accepted, some rejected")
                            .isBetween(1, SEEDS - 1);
                }
            }
        }
    }

    /** P(first token a, second token b) at index a * 8 + b, from the model's own logits. */
    private static double[] pairProbabilities(LanguageModel model) {
        double[] first = softmax(last(model.logits(PROMPT)));
        double[] pairs = new double[64];
        for (int a = 0; a < 8; a++) {
            int[] extended = java.util.Arrays.copyOf(PROMPT, PROMPT.length + 1);
            extended[PROMPT.length] = a;
            double[] second = softmax(last(model.logits(extended)));
            for (int b = 0; b < 8; b++) {
                pairs[a * 8 + b] = first[a] * second[b];
            }
        }
        return pairs;
    }

    private static float[] last(float[][] rows) {
        return rows[rows.length - 1];
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float value : logits) {
            max = Math.max(max, value);
        }
        double[] p = new double[logits.length];
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - max) / TEMPERATURE);
            total += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= total;
        }
        return p;
    }

    /** Pearson's goodness-of-fit statistic, bins with an expected count under 5 pooled into one. */
    record ChiSquare(double statistic, int degreesOfFreedom) {
        static ChiSquare of(long[] counts, double[] probabilities) {
            long n = 0;
            for (long count : counts) {
                n += count;
            }
            double statistic = 0;
            int bins = 0;
            double pooledExpected = 0;
            long pooledObserved = 0;
            for (int i = 0; i < counts.length; i++) {
                double expected = probabilities[i] * n;
                if (expected < 5) {
                    pooledExpected += expected;
                    pooledObserved += counts[i];
                } else {
                    statistic += (counts[i] - expected) * (counts[i] - expected) / expected;
                    bins++;
                }
            }
            if (pooledExpected > 0) {
                statistic += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected;
                bins++;
            }
            return new ChiSquare(statistic, bins - 1);
        }

        /** Wilson-Hilferty's approximation of the chi-square quantile at 0.999 (z = 3.0902); within 1% for df >= 3. */
        double criticalValueAt001() {
            double k = degreesOfFreedom;
            double term = 1 - 2 / (9 * k) + 3.0902 * Math.sqrt(2 / (9 * k));
            return k * term * term * term;
        }
    }
}
