package dev.aqlm.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.spark.eval.ModelResults;
import dev.aqlm.spark.executor.PoisonedProcessGuard;
import dev.aqlm.spark.session.SparkSessions;
import dev.aqlm.spark.sweep.EvalResultsFiles;
import dev.aqlm.spark.sweep.SingleProcessEval;
import dev.aqlm.spark.sweep.SweepJob;
import dev.aqlm.spark.sweep.SweepSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The Spark evaluation on a real standalone cluster (two executor JVMs, one fake GPU each): requests, scores and
 * chunks cross JVMs through the registered Kryo, and an executor halted mid-partition by an injected
 * poisoned-context error is replaced and its partition retried. The results file and samples must still equal the
 * single-process eval's.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StandaloneClusterEvalTest {
    private static LocalStandaloneCluster cluster;
    private static SparkSession spark;

    @RegisterExtension
    static final TestWatcher PRINT_CLUSTER_LOGS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (cluster != null) {
                System.err.println(cluster.logs());
            }
        }
    };

    @BeforeAll
    static void startCluster() throws Exception {
        Path directory = Path.of("target", "spark-cluster", "eval-" + System.currentTimeMillis()).toAbsolutePath();
        cluster = new LocalStandaloneCluster(directory, 2, 2);
        Map<String, String> conf = new HashMap<>(cluster.driverConf());
        conf.put("spark.executor.cores", "1");
        conf.put("spark.cores.max", "2");
        conf.put("spark.executor.memory", "768m");
        conf.put("spark.executor.resource.gpu.amount", "1");
        conf.put("spark.task.resource.gpu.amount", "1");
        conf.put("spark.task.maxFailures", "4");
        conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        spark = SparkSessions.getOrCreate("StandaloneClusterEvalTest", cluster.masterUrl(), conf);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void evalLosingAnExecutorMidPartitionStillWritesTheSingleProcessResults() throws IOException {
        Path output = cluster.directory().resolve("results");
        SingleProcessEval.run(SingleProcessEval.FIXTURE_MODEL, SingleProcessEval.ALL_TASKS, ScoringRules.CURRENT,
                output.resolve("single"));
        TaskOutcomes outcomes = new TaskOutcomes();
        spark.sparkContext().addSparkListener(outcomes);
        SweepSpec spec = SingleProcessEval.sparkSpec(List.of(SingleProcessEval.FIXTURE_MODEL),
                        SingleProcessEval.ALL_TASKS, ScoringRules.CURRENT, output.resolve("cluster"))
                .partitions(4).requestsPerCall(8).faultInjection("poison-context:partition=1:after=1").build();

        List<ModelResults> results = new SweepJob(spark, spec, new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream())).run();

        assertTrue(results.get(0).succeeded(), String.valueOf(results.get(0).error()));
        assertTrue(outcomes.failures.stream().anyMatch(f -> f.startsWith("ExecutorLostFailure")),
                "an executor was lost: " + outcomes.failures);
        assertTrue(outcomes.retriedSuccesses.get() > 0, "a retried attempt succeeded");
        EvalResultsFiles single = new EvalResultsFiles(output.resolve("single"), SingleProcessEval.FIXTURE_MODEL);
        EvalResultsFiles onCluster = new EvalResultsFiles(output.resolve("cluster"), SingleProcessEval.FIXTURE_MODEL);
        assertEquals(single.results(), onCluster.results());
        assertEquals(single.samples(), onCluster.samples());
        assertTrue(results.get(0).run().device().startsWith("cpu (1 threads)"), results.get(0).run().device());

        StringBuilder logs = new StringBuilder();
        for (Path log : cluster.executorLogs()) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            logs.append(text);
            long loads = Pattern.compile("loaded model ").matcher(text).results().count();
            assertTrue(loads <= 1, log + " loaded the model " + loads + " times");
        }
        assertTrue(logs.toString().contains("exit code " + PoisonedProcessGuard.EXIT_CODE), "the poisoned executor halted");
        assertTrue(logs.toString().contains("CUDA ordinal(s) [0]") && logs.toString().contains("CUDA ordinal(s) [1]"),
                "both executors (fake GPUs 0 and 1) scored");
    }

    /** Failed task attempts (by reason) and successful retries, as the scheduler reports them. */
    private static final class TaskOutcomes extends SparkListener {
        final List<String> failures = new CopyOnWriteArrayList<>();
        final AtomicInteger retriedSuccesses = new AtomicInteger();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd event) {
            if (event.reason() == Success$.MODULE$) {
                if (event.taskInfo().attemptNumber() > 0) {
                    retriedSuccesses.incrementAndGet();
                }
            } else {
                failures.add(event.reason() instanceof ExecutorLostFailure lost
                        ? "ExecutorLostFailure: " + lost.toErrorString() : event.reason().getClass().getSimpleName());
            }
        }
    }
}
