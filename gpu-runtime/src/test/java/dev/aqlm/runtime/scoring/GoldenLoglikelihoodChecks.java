package dev.aqlm.runtime.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every request of fixtures/lmeval/golden.json (lm-evaluation-harness + a float64 Hugging Face forward), rebuilt
 * from its context and continuation text: the same token ids, the same rolling windows, and log-likelihoods within a
 * tolerance that depends on the backend's arithmetic (see the subclasses). The same checks run on every backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GoldenLoglikelihoodChecks {
    private LanguageModel model;

    /** The backend to score on; called once, before the tests. */
    protected abstract EngineOptions options();

    /** Absolute tolerance per log-likelihood. */
    protected abstract double tolerance();

    /** Whether is_greedy must match exactly (16-bit arithmetic may flip a near-tie argmax). */
    protected abstract boolean greedyMustMatch();

    /** Loaded on first use, so that a subclass's per-test assumptions (a GPU is present) run first. */
    private LanguageModel model() {
        if (model == null) {
            model = LanguageModel.load(Fixtures.model("llama-mistraltok-aqlm-2x8"), options());
        }
        return model;
    }

    @AfterAll
    void closeModel() {
        if (model != null) {
            model.close();
        }
    }

    static JsonNode mode(ScoringRules rules) {
        JsonNode mode = Fixtures.json(Fixtures.root().resolve("lmeval/golden.json")).get("modes").get(rules.label());
        assertEquals(rules.label(), mode.get("rule").asText());
        return mode;
    }

    @ParameterizedTest
    @EnumSource(ScoringRules.class)
    void requestsEncodeAndScoreAsLmEvalDoes(ScoringRules rules) {
        JsonNode mode = mode(rules);
        Scorer scorer = model().scorer(ScoringSettings.of(rules, mode.get("max_length").asInt()));
        assertEquals(mode.get("prefix_token_id").asInt(), scorer.encoder().prefixToken());
        List<LoglikelihoodRequest> requests = new ArrayList<>();
        List<JsonNode> expected = new ArrayList<>();
        for (JsonNode docs : mode.get("samples")) {
            for (JsonNode doc : docs) {
                for (JsonNode request : doc.path("requests")) {
                    LoglikelihoodRequest text = new LoglikelihoodRequest(request.get("context").asText(),
                            request.get("continuation").asText());
                    TokenizedRequest tokens = scorer.encoder().encode(text);
                    assertArrayEquals(Fixtures.ints(request.get("context_ids")), tokens.context(), text.toString());
                    assertArrayEquals(Fixtures.ints(request.get("continuation_ids")), tokens.continuation(),
                            text.toString());
                    requests.add(text);
                    expected.add(request);
                }
            }
        }
        assertTrue(requests.size() > 50, "golden.json should hold the multiple-choice and lambada requests");
        List<Loglikelihood> scored = scorer.loglikelihood(requests);
        double worst = 0;
        int greedyFlips = 0;
        for (int i = 0; i < requests.size(); i++) {
            double difference = Math.abs(scored.get(i).logLikelihood() - expected.get(i).get("loglikelihood").asDouble());
            worst = Math.max(worst, difference);
            assertTrue(difference < tolerance(), requests.get(i) + ": off by " + difference);
            boolean greedy = expected.get(i).get("is_greedy").asBoolean();
            if (greedy != scored.get(i).isGreedy()) {
                greedyFlips++;
                assertFalse(greedyMustMatch(), requests.get(i) + ": is_greedy " + scored.get(i).isGreedy());
            }
        }
        System.out.printf("%s on %s: %d requests, max |delta loglikelihood| %.3g, %d is_greedy flips; %s%n", rules,
                model().backend().description(), requests.size(), worst, greedyFlips, scorer.stats());
    }

    @ParameterizedTest
    @EnumSource(ScoringRules.class)
    void rollingWindowsMatchLmEval(ScoringRules rules) {
        JsonNode mode = mode(rules);
        int maxLength = mode.get("max_length").asInt();
        Scorer scorer = model().scorer(ScoringSettings.of(rules, maxLength));
        List<String> texts = new ArrayList<>();
        double worst = 0;
        for (JsonNode doc : mode.get("samples").get("wikitext")) {
            JsonNode rolling = doc.get("rolling");
            String text = rolling.get("text").asText();
            texts.add(text);
            assertArrayEquals(Fixtures.ints(rolling.get("token_ids")), scorer.encoder().encodeDocument(text));
            List<TokenizedRequest> windows = scorer.encoder().rollingWindows(text, maxLength);
            assertEquals(rolling.get("windows").size(), windows.size());
            List<Loglikelihood> windowScores = scorer.score(windows);
            for (int w = 0; w < windows.size(); w++) {
                JsonNode window = rolling.get("windows").get(w);
                assertArrayEquals(Fixtures.ints(window.get("context_ids")), windows.get(w).context(), "window " + w);
                assertArrayEquals(Fixtures.ints(window.get("predicted_ids")), windows.get(w).continuation(),
                        "window " + w);
                double difference = Math.abs(windowScores.get(w).logLikelihood()
                        - window.get("loglikelihood").asDouble());
                worst = Math.max(worst, difference);
                assertTrue(difference < tolerance(), "window " + w + " off by " + difference);
            }
        }
        List<Double> totals = scorer.loglikelihoodRolling(texts);
        for (int d = 0; d < texts.size(); d++) {
            double expected = mode.get("samples").get("wikitext").get(d).get("rolling").get("loglikelihood").asDouble();
            // A document sums its windows, so the per-window tolerance adds up over them.
            double windowCount = mode.get("samples").get("wikitext").get(d).get("rolling").get("windows").size();
            assertEquals(expected, totals.get(d), tolerance() * windowCount);
        }
        System.out.printf("%s rolling: max |delta loglikelihood| per window %.3g%n", rules, worst);
    }
}
