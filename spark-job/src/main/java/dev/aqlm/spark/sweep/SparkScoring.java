package dev.aqlm.spark.sweep;

import dev.aqlm.spark.eval.EvalRequest;
import dev.aqlm.spark.executor.ExecutorFailures;
import dev.aqlm.spark.executor.FaultInjection;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.progress.JobProgress;
import java.io.PrintStream;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * An evaluation's requests, planned into partitions once ({@link RequestPartitions}), then scored by one model after
 * another on the executors: each model is one Spark job over the same partitions, whose scored chunks are collected
 * on the driver.
 *
 * <p>Each planned partition is one element of a parallelized collection of exactly that many slices, so the tasks
 * carry their requests from the driver and the scoring stage has no shuffle before it: a lost executor costs only
 * its own tasks' retries, never a re-run of other stages or fetch failures elsewhere.
 */
final class SparkScoring {
    private final SparkContext context;
    private final JavaRDD<PlannedRequest[]> planned;
    private final int partitions;
    private final int requests;

    SparkScoring(SparkSession spark, List<EvalRequest> requests, int wantedPartitions) {
        this.context = spark.sparkContext();
        RequestPartitions plan = RequestPartitions.plan(requests, wantedPartitions);
        List<PlannedRequest[]> slices = plan.partitions().stream()
                .map(partition -> partition.toArray(new PlannedRequest[0])).toList();
        // As many slices as elements: parallelize cuts positions [i*n/n, (i+1)*n/n), one planned partition each.
        this.planned = JavaSparkContext.fromSparkContext(context).parallelize(slices, slices.size());
        this.partitions = slices.size();
        this.requests = requests.size();
    }

    int partitions() {
        return partitions;
    }

    /** Scores every request with {@code model}, reporting progress on {@code console}. */
    ModelScores score(String label, ModelDescriptor model, SweepSpec spec, PrintStream console) {
        ScoringCounters counters = new ScoringCounters(context, label);
        ScorePartition task = new ScorePartition(model, spec.maxLength(), spec.rules(), spec.maxBatchTokens(),
                spec.requestsPerCall(), counters, FaultInjection.parse(spec.faultInjection()));
        long start = System.nanoTime();
        List<ScoredChunk> chunks;
        try (JobProgress progress = new JobProgress(counters.measures(), requests, console,
                spec.progressIntervalSeconds())) {
            context.addSparkListener(progress);
            context.setJobDescription("aqlm-spark eval: " + label);
            try {
                chunks = planned.mapPartitions(task).collect();
            } catch (Exception e) { // SparkException is checked, though Scala throws it undeclared
                throw ExecutorFailures.explain(e, "scoring with " + label, null);
            } finally {
                context.removeSparkListener(progress);
                context.setJobDescription(null);
            }
        }
        return ModelScores.gather(label, chunks, (System.nanoTime() - start) / 1e9);
    }
}
