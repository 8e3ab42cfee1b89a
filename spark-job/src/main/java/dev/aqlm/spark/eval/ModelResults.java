package dev.aqlm.spark.eval;

import java.nio.file.Path;
import java.util.List;

/**
 * One model's part of a sweep: its metrics, the run they came from and the results file written for it; or, when
 * the model could not be evaluated, why.
 */
public record ModelResults(String model, List<TaskMetrics> metrics, EvaluationRun run, Path resultsFile,
                           String error) {
    public ModelResults {
        metrics = metrics == null ? List.of() : List.copyOf(metrics);
    }

    public static ModelResults scored(List<TaskMetrics> metrics, EvaluationRun run, Path resultsFile) {
        return new ModelResults(run.model(), metrics, run, resultsFile, null);
    }

    public static ModelResults failed(String model, String error) {
        return new ModelResults(model, List.of(), null, null, error);
    }

    public boolean succeeded() {
        return error == null;
    }
}
