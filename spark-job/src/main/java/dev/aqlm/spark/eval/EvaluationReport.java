package dev.aqlm.spark.eval;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;

/**
 * An evaluation's output as lm-eval gives it: results_&lt;date&gt;.json (and samples_&lt;task&gt;_&lt;date&gt;.jsonl
 * with --log-samples) under the model's folder, and the printed table with its header line. One implementation for
 * the single-process eval and the Spark jobs, so their files cannot drift apart.
 */
public final class EvaluationReport {
    private EvaluationReport() {
    }

    /** Writes the files, naming each on {@code log}; returns the results file. */
    public static Path write(Path output, List<TaskMetrics> metrics, EvaluationRun run, boolean logSamples,
                             PrintStream log) {
        OutputFiles files = new OutputFiles(output, run.model(), LocalDateTime.now());
        Path results = files.writeResults(ResultsDocument.build(metrics, run, System.currentTimeMillis() / 1000.0));
        log.println("results: " + results);
        if (logSamples) {
            for (TaskMetrics task : metrics) {
                log.println("samples: " + files.writeSamples(task.task().name(), SampleRecords.of(task)));
            }
        }
        return results;
    }

    /** lm-eval's line above the table, then the table. */
    public static void printTable(PrintStream out, List<TaskMetrics> metrics, EvaluationRun run) {
        out.printf("aqlm-spark (%s), gen_kwargs: (None), limit: %s, num_fewshot: None, batch_size: %d%n",
                run.modelArgs(), run.limit() == null ? "None" : run.limit().toString(), run.batchSize());
        out.println(ResultsTable.render(metrics));
    }
}
