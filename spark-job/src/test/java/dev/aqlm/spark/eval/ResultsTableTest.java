package dev.aqlm.spark.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aqlm.runtime.scoring.ScoringRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The printed table laid out as lm-eval (pytablewriter) lays it out; values from the golden log-likelihoods. */
class ResultsTableTest {
    private static TaskMetrics golden(String task) {
        TaskRequests requests = TaskRequests.build(Tasks.named(task),
                new LocalDatasetFolder(LmEvalGolden.taskFolder()).load(Tasks.named(task)), null);
        return TaskMetrics.aggregate(requests, LmEvalGolden.goldenScores(ScoringRules.CURRENT, requests),
                TaskMetrics.DEFAULT_BOOTSTRAP_ITERATIONS);
    }

    @Test
    void numericColumnsAlignRightAndTaskNameAppearsOnce() {
        assertEquals(""
                + "|    Tasks     |Version|Filter|n-shot|  Metric  |   |   Value   |   |  Stderr  |\n"
                + "|--------------|------:|------|-----:|----------|---|----------:|---|---------:|\n"
                + "|lambada_openai|      1|none  |     0|acc       |↑  |     0.0000|±  |    0.0000|\n"
                + "|              |       |none  |     0|perplexity|↓  |110784.1182|±  |42547.5838|\n",
                ResultsTable.render(List.of(golden("lambada_openai"))));
    }

    @Test
    void notAvailableStderrMakesThatColumnText() {
        assertEquals(""
                + "| Tasks  |Version|Filter|n-shot|    Metric     |   |   Value   |   |Stderr|\n"
                + "|--------|------:|------|-----:|---------------|---|----------:|---|------|\n"
                + "|boolq   |      2|none  |     0|acc            |↑  |     0.5000|±  |0.2887|\n"
                + "|wikitext|      2|none  |     0|bits_per_byte  |↓  |     4.6120|±  |   N/A|\n",
                ResultsTable.render(List.of(golden("boolq"), golden("wikitext"))).lines().limit(4)
                        .reduce("", (a, b) -> a + b + "\n"));
    }
}
