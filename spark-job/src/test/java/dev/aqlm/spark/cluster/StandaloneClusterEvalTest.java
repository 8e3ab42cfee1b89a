package dev.aqlm.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.spark.eval.ModelResults;
import dev.aqlm.spark.sweep.EvalResultsFiles;
import dev.aqlm.spark.sweep.SingleProcessEval;
import dev.aqlm.spark.sweep.SweepJob;
import dev.aqlm.spark.sweep.SweepSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Spark evaluation on a real standalone cluster (two executor JVMs, one fake GPU each): requests, scores and
 * chunks cross JVMs through the registered Kryo, and an executor halted mid-partition by an injected
 * poisoned-context error is replaced and its partition retried. The results file and samples must still equal the
 * single-process eval's.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StandaloneClusterEvalTest {
    @RegisterExtension
    static final TwoExecutorCluster CLUSTER = new TwoExecutorCluster("eval");

    @Test
    void evalLosingAnExecutorMidPartitionStillWritesTheSingleProcessResults() throws IOException {
        Path output = CLUSTER.directory().resolve("results");
        SingleProcessEval.run(SingleProcessEval.FIXTURE_MODEL, SingleProcessEval.ALL_TASKS, ScoringRules.CURRENT,
                output.resolve("single"));
        SweepSpec spec = SingleProcessEval.sparkSpec(List.of(SingleProcessEval.FIXTURE_MODEL),
                        SingleProcessEval.ALL_TASKS, ScoringRules.CURRENT, output.resolve("cluster"))
                .partitions(4).requestsPerCall(8).faultInjection("poison-context:partition=1:after=1").build();

        List<ModelResults> results = new SweepJob(CLUSTER.spark(), spec, new PrintStream(OutputStream.nullOutputStream()),
                new PrintStream(OutputStream.nullOutputStream())).run();

        assertTrue(results.get(0).succeeded(), String.valueOf(results.get(0).error()));
        CLUSTER.assertAnExecutorHaltedAndItsTasksWereRetried();
        EvalResultsFiles single = new EvalResultsFiles(output.resolve("single"), SingleProcessEval.FIXTURE_MODEL);
        EvalResultsFiles onCluster = new EvalResultsFiles(output.resolve("cluster"), SingleProcessEval.FIXTURE_MODEL);
        assertEquals(single.results(), onCluster.results());
        assertEquals(single.samples(), onCluster.samples());
        assertTrue(results.get(0).run().device().startsWith("cpu (1 threads)"), results.get(0).run().device());

        String logs = CLUSTER.executorLogText();
        assertTrue(logs.contains("CUDA ordinal(s) [0]") && logs.contains("CUDA ordinal(s) [1]"),
                "both executors (fake GPUs 0 and 1) scored");
    }
}
