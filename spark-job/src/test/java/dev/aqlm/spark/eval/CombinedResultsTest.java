package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A sweep's combined table and rows, from made-up scores of two models on the fixture boolq and wikitext. */
class CombinedResultsTest {
    private static final List<TaskRequests> TASKS = Evaluation.build(Tasks.parse("wikitext,boolq"),
            new LocalDatasetFolder(LmEvalGolden.taskFolder()), null);

    /**
     * boolq (gold 1, 0, 1, 0): "yes" always wins (acc 0.5), or the gold always does (acc 1); wikitext pages score -100
     * and -200, or half that.
     */
    private static ModelResults model(String name, boolean alwaysRight) {
        List<ScoredRequest> scores = new ArrayList<>();
        for (TaskRequests task : TASKS) {
            for (TaskDocument document : task.documents()) {
                for (EvalRequest request : document.requests()) {
                    double ll = request.rolling() ? (alwaysRight ? -50.0 : -100.0) * (document.docId() + 1)
                            : request.getIndex() == (alwaysRight ? document.gold() : 1) ? -1.0 : -2.0;
                    scores.add(ScoredRequest.of(request, ll, false));
                }
            }
        }
        EvaluationRun run = new EvaluationRun(name, "current", 48, 4, 8192, "cpu (1 threads)", null, 0, 1, null, null,
                0, 1_000_000_000L, "scored");
        return ModelResults.scored(Evaluation.aggregate(TASKS, scores, 0), run, Path.of("out", name, "results.json"));
    }

    private static final CombinedResults COMBINED = new CombinedResults(List.of(model("org/a", false),
            ModelResults.failed("org/broken", "cannot load"), model("org/b", true)));

    @Test
    void markdownHasARowPerTaskMetricAndAColumnPerScoredModel() {
        assertEquals("""
                | Tasks  |Version|Filter|    Metric     |   |     org/a     |     org/b     |
                |--------|------:|------|---------------|---|---------------|---------------|
                |boolq   |      2|none  |acc            |↑  |0.5000 ± 0.2887|1.0000 ± 0.0000|
                |wikitext|      2|none  |bits_per_byte  |↓  |0.8761         |0.4381         |
                |        |       |none  |byte_perplexity|↓  |1.8354         |1.3548         |
                |        |       |none  |word_perplexity|↓  |13.2793        |3.6441         |
                """, COMBINED.markdown());
    }

    @Test
    void csvAndJsonHoldEveryValueOfEveryModel() {
        List<String> csv = COMBINED.csv().lines().toList();
        assertEquals("model,task,version,filter,metric,higher_is_better,value,stderr", csv.get(0));
        assertEquals(1 + 2 * 4, csv.size());
        assertEquals("org/a,boolq,2,none,acc,True,0.5,0.28867513459481287", csv.get(1));
        assertEquals("org/b,boolq,2,none,acc,True,1.0,0.0", csv.get(5));
        var json = COMBINED.json(0);
        assertEquals(3, json.get("models").size());
        assertEquals("cannot load", json.get("models").get(1).get("error").asText());
        assertEquals(8, json.get("results").size());
        assertEquals("N/A", json.get("results").get(1).get("stderr").asText());
    }
}
