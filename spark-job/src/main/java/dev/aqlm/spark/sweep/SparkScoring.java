package dev.aqlm.spark.sweep;

import dev.aqlm.spark.eval.EvalRequest;
import dev.aqlm.spark.executor.ExecutorFailures;
import dev.aqlm.spark.executor.FaultInjection;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.progress.JobProgress;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * An evaluation's requests, planned into partitions once ({@link RequestPartitions}) and shuffled there once, then
 * scored by one model after another on the executors: each model is one Spark job over the same shuffled requests,
 * whose scored chunks are collected on the driver.
 */
final class SparkScoring {
    private final SparkContext context;
    private final JavaPairRDD<Long, PlannedRequest> planned;
    private final int partitions;
    private final int requests;

    SparkScoring(SparkSession spark, List<EvalRequest> requests, int wantedPartitions) {
        this.context = spark.sparkContext();
        RequestPartitions plan = RequestPartitions.plan(requests, wantedPartitions);
        List<Tuple2<Long, PlannedRequest>> keyed = new ArrayList<>(requests.size());
        int[] sizes = new int[plan.count()];
        for (int p = 0; p < plan.count(); p++) {
            sizes[p] = plan.partitions().get(p).size();
            for (PlannedRequest request : plan.partitions().get(p)) {
                keyed.add(new Tuple2<>((long) keyed.size(), request));
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(context);
        // Sorting by plan position inside each partition restores the planned order after the shuffle.
        this.planned = jsc.parallelizePairs(keyed, Math.max(1, Math.min(plan.count(), jsc.defaultParallelism())))
                .repartitionAndSortWithinPartitions(PlannedPartitioner.ofSizes(sizes));
        this.partitions = plan.count();
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
