package dev.aqlm.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * One document of a task as the driver keeps it: the (preprocessed) row, its requests, and what its metrics need —
 * the gold choice and the choice texts (acc_norm divides by their length in characters), or the word and byte
 * counts of the raw text (rolling perplexity). {@code target} is what lm-eval logs as the sample's target.
 */
public record TaskDocument(int docId, JsonNode row, List<EvalRequest> requests, int gold, List<String> choices,
                           Object target, int words, int bytes) {
    static final ObjectMapper JSON = new ObjectMapper();

    public TaskDocument {
        requests = List.copyOf(requests);
        choices = List.copyOf(choices);
    }

    static TaskDocument choice(int docId, JsonNode row, List<EvalRequest> requests, int gold, List<String> choices,
                               Object target) {
        return new TaskDocument(docId, row, requests, gold, choices, target, 0, 0);
    }

    static TaskDocument target(int docId, JsonNode row, List<EvalRequest> requests, String target) {
        return new TaskDocument(docId, row, requests, -1, List.of(), target, 0, 0);
    }

    static TaskDocument rolling(int docId, JsonNode row, List<EvalRequest> requests, String text, int words, int bytes) {
        return new TaskDocument(docId, row, requests, -1, List.of(), text, words, bytes);
    }
}
