package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.runtime.scoring.ScoringSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tasks against fixtures/lmeval/golden.json, for both rule sets: requests rebuilt from the task files are
 * lm-eval's (same context and continuation text, gold, word and byte counts); lm-eval's metric code applied to the
 * golden log-likelihoods gives the golden results; and the whole path through the fixture model on the CPU backend
 * gives the same scores and results.
 */
class LmEvalGoldenTest {
    /**
     * Aggregates from the golden log-likelihoods: the same formulas in the same order, so only the last bits of a
     * sum may differ (Python >= 3.12 sums floats with compensation).
     */
    static final double SAME_FORMULA = 1e-6;
    /** Engine log-likelihoods: fp32 against the float64 reference, about 1e-6 per token over up to 48 tokens. */
    static final double LOGLIKELIHOOD = 1e-3;
    /**
     * Results from engine log-likelihoods: perplexities are exp(-mean or -sum/count of log-likelihoods), so errors of
     * at most 1e-3 per document move them by at most about 1e-3 relative (2e-3 for a two-window wikitext page).
     */
    static final double FROM_ENGINE = 2e-3;

    private static LanguageModel model;

    @BeforeAll
    static void loadModel() {
        model = LanguageModel.load(Fixtures.model(LmEvalGolden.MODEL),
                EngineOptions.cpu().withSlots(4).withContextLength(64).withCpuThreads(2));
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    private static List<TaskRequests> build(ScoringRules rules) {
        List<TaskDefinition> tasks = new ArrayList<>();
        LmEvalGolden.taskNames(rules).forEach(name -> tasks.add(Tasks.named(name)));
        assertEquals(Tasks.all().size(), tasks.size(), "golden.json covers every task");
        return Evaluation.build(tasks, new LocalDatasetFolder(LmEvalGolden.taskFolder()), null);
    }

    @ParameterizedTest
    @EnumSource(ScoringRules.class)
    void requestsFromTheTaskFilesAreLmEvals(ScoringRules rules) {
        for (TaskRequests requests : build(rules)) {
            String task = requests.task().name();
            JsonNode docs = LmEvalGolden.samples(rules, task);
            assertEquals(docs.size(), requests.documents().size(), task);
            for (TaskDocument document : requests.documents()) {
                JsonNode golden = docs.get(document.docId());
                String where = task + " document " + document.docId();
                assertEquals(golden.get("doc_id").asInt(), document.docId(), where);
                if (golden.has("rolling")) {
                    assertEquals(1, document.requests().size(), where);
                    assertEquals(golden.get("rolling").get("text").asText(),
                            document.requests().get(0).getContinuation(), where);
                    assertEquals(golden.get("words").asInt(), document.words(), where);
                    assertEquals(golden.get("bytes").asInt(), document.bytes(), where);
                    continue;
                }
                if (golden.has("gold")) {
                    assertEquals(golden.get("gold").asInt(), document.gold(), where);
                }
                assertEquals(golden.get("requests").size(), document.requests().size(), where);
                for (EvalRequest request : document.requests()) {
                    JsonNode expected = golden.get("requests").get(request.getIndex());
                    assertEquals(expected.get("context").asText(), request.getContext(), where);
                    assertEquals(expected.get("continuation").asText(), request.getContinuation(), where);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ScoringRules.class)
    void metricsOfTheGoldenLogLikelihoodsAreLmEvalsResults(ScoringRules rules) {
        for (TaskRequests requests : build(rules)) {
            String task = requests.task().name();
            TaskMetrics metrics = TaskMetrics.aggregate(requests, LmEvalGolden.goldenScores(rules, requests),
                    TaskMetrics.DEFAULT_BOOTSTRAP_ITERATIONS);
            assertResults(LmEvalGolden.results(rules, task), metrics, SAME_FORMULA, task);
            JsonNode docs = LmEvalGolden.samples(rules, task);
            for (TaskMetrics.DocumentScores scores : metrics.documents()) {
                JsonNode golden = docs.get(scores.document().docId());
                for (Map.Entry<Metric, double[]> value : scores.values().entrySet()) {
                    if (golden.has(value.getKey().key())) {
                        assertEquals(golden.get(value.getKey().key()).asDouble(), value.getValue()[0], 0.0,
                                task + " document " + scores.document().docId() + " " + value.getKey().key());
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ScoringRules.class)
    void theFixtureModelReproducesEveryScoreAndResult(ScoringRules rules) {
        List<TaskRequests> requests = build(rules);
        EngineRequestScorer scorer = new EngineRequestScorer(
                model.scorer(ScoringSettings.of(rules, LmEvalGolden.maxLength(rules))));
        List<ScoredRequest> scored = scorer.score(Evaluation.allRequests(requests));
        Map<String, ScoredRequest> byKey = new HashMap<>();
        scored.forEach(score -> byKey.put(score.getTask() + "/" + score.getDocId() + "/" + score.getIndex(), score));
        double worst = 0;
        for (TaskRequests task : requests) {
            for (ScoredRequest golden : LmEvalGolden.goldenScores(rules, task)) {
                ScoredRequest ours = byKey.get(golden.getTask() + "/" + golden.getDocId() + "/" + golden.getIndex());
                boolean rolling = task.task().outputType() == TaskDefinition.OutputType.LOGLIKELIHOOD_ROLLING;
                double difference = Math.abs(ours.getLogLikelihood() - golden.getLogLikelihood());
                worst = Math.max(worst, difference);
                // A rolling page sums its windows' log-likelihoods (two per fixture page).
                assertTrue(difference < (rolling ? 2 : 1) * LOGLIKELIHOOD, ours + " vs golden " + golden);
                assertEquals(golden.isGreedy(), ours.isGreedy(), ours.toString());
            }
            TaskMetrics metrics = TaskMetrics.aggregate(task, scored, TaskMetrics.DEFAULT_BOOTSTRAP_ITERATIONS);
            assertResults(LmEvalGolden.results(rules, task.task().name()), metrics, FROM_ENGINE, task.task().name());
        }
        System.out.printf("%s: max |delta loglikelihood| over all tasks %.3g%n", rules, worst);
    }

    static void assertResults(JsonNode expected, TaskMetrics metrics, double relative, String task) {
        assertEquals(expected.size(), metrics.results().size(), task + " reports " + metrics.results().keySet());
        for (Map.Entry<String, JsonNode> field : expected.properties()) {
            Object actual = metrics.value(field.getKey());
            String where = task + " " + field.getKey();
            if (field.getValue().isTextual()) {
                assertEquals(field.getValue().asText(), actual, where);
            } else {
                double value = field.getValue().asDouble();
                assertTrue(actual instanceof Double, where + " should be a number, is " + actual);
                assertEquals(value, (Double) actual, relative * Math.max(Math.abs(value), 1e-12), where);
            }
        }
    }
}
