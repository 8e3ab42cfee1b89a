package dev.aqlm.spark.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The evaluation pipeline in three steps that can run in different places: build every task's requests (needs the
 * data, not the model), score them all (needs the model: this process, or Spark executors), aggregate per task (needs
 * the scores and the documents: the driver).
 */
public final class Evaluation {
    private Evaluation() {
    }

    /** Every task's documents and requests, in the order given; fails before any scoring if data is missing. */
    public static List<TaskRequests> build(List<TaskDefinition> tasks, DatasetSource data, Double limit) {
        List<TaskRequests> built = new ArrayList<>();
        for (TaskDefinition task : tasks) {
            built.add(TaskRequests.build(task, data.load(task), limit));
        }
        return built;
    }

    /** All requests of all tasks, for one scoring call (identical requests across tasks are computed once). */
    public static List<EvalRequest> allRequests(List<TaskRequests> tasks) {
        List<EvalRequest> all = new ArrayList<>();
        tasks.forEach(task -> all.addAll(task.requests()));
        return all;
    }

    /** Per-task metrics from the scores, tasks sorted by name as lm-eval reports them. */
    public static List<TaskMetrics> aggregate(List<TaskRequests> tasks, List<ScoredRequest> scored,
                                              int bootstrapIterations) {
        List<TaskMetrics> metrics = new ArrayList<>();
        for (TaskRequests task : tasks) {
            metrics.add(TaskMetrics.aggregate(task, scored, bootstrapIterations));
        }
        metrics.sort(Comparator.comparing(task -> task.task().name()));
        return metrics;
    }

    /** Builds nothing, scores and aggregates: the single-process path. */
    public static List<TaskMetrics> run(List<TaskRequests> tasks, RequestScorer scorer, int bootstrapIterations) {
        return aggregate(tasks, scorer.score(allRequests(tasks)), bootstrapIterations);
    }
}
