package dev.aqlm.runtime.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * lm-eval scoring (every request and wikitext rolling window of fixtures/lmeval/golden.json) on the CPU backend split
 * over 2 and 4 shards gives the unsharded backend's log-likelihoods within 1e-4 and the same is_greedy.
 */
class TensorParallelScoringTest {
    /** The bound for scoring: per-token log-probabilities move by ~1e-7 (fp32 all-reduce), sums of ≤48 tokens. */
    private static final double TOLERANCE = 1e-4;

    private static LanguageModel load(int shards) {
        return LanguageModel.load(Fixtures.model("llama-mistraltok-aqlm-2x8"), EngineOptions.cpu().withSlots(4)
                .withContextLength(64).withCpuThreads(2).withTensorParallel(shards));
    }

    @ParameterizedTest(name = "TP-{0}")
    @ValueSource(ints = {2, 4})
    void shardedScoresEqualUnshardedScores(int shards) {
        JsonNode mode = GoldenLoglikelihoodChecks.mode(ScoringRules.values()[0]);
        ScoringSettings settings = ScoringSettings.of(ScoringRules.values()[0], mode.get("max_length").asInt());
        List<LoglikelihoodRequest> requests = new ArrayList<>();
        List<String> pages = new ArrayList<>();
        for (JsonNode docs : mode.get("samples")) {
            for (JsonNode doc : docs) {
                for (JsonNode request : doc.path("requests")) {
                    requests.add(new LoglikelihoodRequest(request.get("context").asText(),
                            request.get("continuation").asText()));
                }
                if (doc.has("rolling")) {
                    pages.add(doc.get("rolling").get("text").asText());
                }
            }
        }
        assertTrue(requests.size() > 50 && !pages.isEmpty(), "golden.json holds requests and rolling documents");
        try (LanguageModel single = load(1); LanguageModel sharded = load(shards)) {
            List<Loglikelihood> expected = single.scorer(settings).loglikelihood(requests);
            List<Loglikelihood> actual = sharded.scorer(settings).loglikelihood(requests);
            for (int i = 0; i < requests.size(); i++) {
                assertEquals(expected.get(i).logLikelihood(), actual.get(i).logLikelihood(), TOLERANCE,
                        requests.get(i).toString());
                assertEquals(expected.get(i).isGreedy(), actual.get(i).isGreedy(), requests.get(i).toString());
            }
            List<Double> expectedRolling = single.scorer(settings).loglikelihoodRolling(pages);
            List<Double> actualRolling = sharded.scorer(settings).loglikelihoodRolling(pages);
            for (int i = 0; i < pages.size(); i++) {
                assertEquals(expectedRolling.get(i), actualRolling.get(i), TOLERANCE, "wikitext page " + i);
            }
        }
    }
}
