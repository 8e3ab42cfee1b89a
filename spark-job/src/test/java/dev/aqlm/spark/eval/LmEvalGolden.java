package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.scoring.ScoringRules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** fixtures/lmeval: the task files and golden.json (lm-evaluation-harness's own requests, scores and results). */
final class LmEvalGolden {
    static final String MODEL = "llama-mistraltok-aqlm-2x8";

    private LmEvalGolden() {
    }

    static Path taskFolder() {
        return Fixtures.root().resolve("lmeval/tasks");
    }

    static JsonNode mode(ScoringRules rules) {
        return Fixtures.json(Fixtures.root().resolve("lmeval/golden.json")).get("modes").get(rules.label());
    }

    static int maxLength(ScoringRules rules) {
        return mode(rules).get("max_length").asInt();
    }

    /** Task names that golden.json has samples for, in its order. */
    static List<String> taskNames(ScoringRules rules) {
        List<String> names = new ArrayList<>();
        mode(rules).get("samples").fieldNames().forEachRemaining(names::add);
        return names;
    }

    static JsonNode samples(ScoringRules rules, String task) {
        return mode(rules).get("samples").get(task);
    }

    static JsonNode results(ScoringRules rules, String task) {
        return mode(rules).get("results").get(task);
    }

    /** The golden log-likelihoods as scored requests, under the keys of {@code requests}. */
    static List<ScoredRequest> goldenScores(ScoringRules rules, TaskRequests requests) {
        JsonNode docs = samples(rules, requests.task().name());
        List<ScoredRequest> scored = new ArrayList<>();
        for (TaskDocument document : requests.documents()) {
            JsonNode doc = docs.get(document.docId());
            for (EvalRequest request : document.requests()) {
                if (request.rolling()) {
                    scored.add(ScoredRequest.of(request, doc.get("rolling").get("loglikelihood").asDouble(), false));
                } else {
                    JsonNode golden = doc.get("requests").get(request.getIndex());
                    scored.add(ScoredRequest.of(request, golden.get("loglikelihood").asDouble(),
                            golden.get("is_greedy").asBoolean()));
                }
            }
        }
        return scored;
    }
}
