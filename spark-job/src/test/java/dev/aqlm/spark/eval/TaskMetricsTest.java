package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode row(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void meanStderrIsBesselCorrected() {
        double[] hits = {1, 0, 0, 1, 1, 0, 1, 1};
        double p = 5.0 / 8;
        // For 0/1 values, sample_stddev / sqrt(n) = sqrt(p (1 - p) / (n - 1)); equal up to rounding.
        assertEquals(Math.sqrt(p * (1 - p) / 7), Aggregation.MEAN.stderr(hits, 0).getAsDouble(), 1e-15);
        assertEquals(p, Aggregation.MEAN.aggregate(hits, null));
    }

    @Test
    void oneDocumentHasNoStderr() {
        assertFalse(Aggregation.MEAN.stderr(new double[] {1}, 100).isPresent());
        assertFalse(Aggregation.PERPLEXITY.stderr(new double[] {-2}, 100).isPresent());
    }

    @Test
    void weightedPerplexitiesHaveNoStderrAndNoBootstrapMeansNone() {
        double[] lls = {-10, -20};
        assertFalse(Aggregation.WEIGHTED_PERPLEXITY.stderr(lls, 100_000).isPresent());
        assertFalse(Aggregation.BITS_PER_BYTE.stderr(lls, 100_000).isPresent());
        assertFalse(Aggregation.PERPLEXITY.stderr(lls, 0).isPresent());
        assertEquals(Math.exp(30.0 / 7), Aggregation.WEIGHTED_PERPLEXITY.aggregate(lls, new double[] {3, 4}), 1e-12);
        assertEquals(30.0 / 7 / Math.log(2), Aggregation.BITS_PER_BYTE.aggregate(lls, new double[] {3, 4}), 1e-12);
    }

    @Test
    void perplexityBootstrapMatchesLmEvalUnderCPython() {
        // lm-eval's bootstrap_stderr(perplexity, xs, iters) run under CPython 3 for these xs: 3000 iterations ->
        // 42.90327892177272, 500 (one chunk of 500) -> 42.61274944726708. Same draws, same sums; the last bits may
        // differ only through summation of the replicates, hence 1e-12 relative.
        double[] xs = {-1.0, -2.5, -0.3, -4.0, -2.2, -7.5};
        assertEquals(42.90327892177272, Aggregation.PERPLEXITY.stderr(xs, 3000).getAsDouble(), 42.9 * 1e-12);
        assertEquals(42.61274944726708, Aggregation.PERPLEXITY.stderr(xs, 500).getAsDouble(), 42.6 * 1e-12);
    }

    @Test
    void argmaxTiesGoToTheFirstChoiceAsNumpysDo() {
        assertEquals(0, TaskMetrics.argmax(new double[] {-1, -1}));
        assertEquals(1, TaskMetrics.argmax(new double[] {-2, -1, -1}));
        assertEquals(1, TaskMetrics.argmax(new double[] {-2, Double.NaN, -1}));
    }

    @Test
    void accNormDividesByChoiceLengthInCharacters() {
        // Choice 0 is more likely in total; per character (code points: "é" counts once) choice 1 wins.
        TaskRequests requests = TaskRequests.build(Tasks.named("piqa"), List.of(
                row("{\"goal\": \"g\", \"sol1\": \"ab\", \"sol2\": \"\u00e9\u00e9\u00e9\u00e9\", \"label\": 1}")), null);
        List<ScoredRequest> scored = new ArrayList<>();
        scored.add(ScoredRequest.of(requests.requests().get(0), -2.2, false));
        scored.add(ScoredRequest.of(requests.requests().get(1), -4.0, false));
        TaskMetrics metrics = TaskMetrics.aggregate(requests, scored, 0);
        assertEquals(0.0, metrics.value("acc,none"));
        assertEquals(1.0, metrics.value("acc_norm,none"));
        assertEquals("N/A", metrics.value("acc_stderr,none"));
    }

    @Test
    void missingScoresAreNamed() {
        TaskRequests requests = TaskRequests.build(Tasks.named("boolq"), List.of(
                row("{\"question\": \"q\", \"passage\": \"p\", \"label\": 0}")), null);
        TaskDataException error = assertThrows(TaskDataException.class,
                () -> TaskMetrics.aggregate(requests, List.of(ScoredRequest.of(requests.requests().get(0), -1, false)),
                        0));
        assertTrue(error.getMessage().contains("boolq document 0 request 1"), error.getMessage());
    }

    @Test
    void limitTakesTheFirstDocumentsOrAFractionRoundedUp() {
        assertEquals(10, TaskRequests.effectiveCount(10, null));
        assertEquals(3, TaskRequests.effectiveCount(10, 3.0));
        assertEquals(10, TaskRequests.effectiveCount(10, 50.0));
        assertEquals(4, TaskRequests.effectiveCount(10, 0.35));
        assertThrows(TaskDataException.class, () -> TaskRequests.effectiveCount(10, 0.0));
    }
}
