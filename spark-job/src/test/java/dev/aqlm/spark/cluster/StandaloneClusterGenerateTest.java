package dev.aqlm.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.spark.executor.PoisonedProcessGuard;
import dev.aqlm.spark.generate.ExpectedCompletions;
import dev.aqlm.spark.generate.GenerateJob;
import dev.aqlm.spark.generate.GeneratedRows;
import dev.aqlm.spark.generate.JobSpecs;
import dev.aqlm.spark.generate.JobSummary;
import dev.aqlm.spark.generate.OutputFormat;
import dev.aqlm.spark.generate.OutputTotals;
import dev.aqlm.spark.session.SparkSessions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The job on a real standalone cluster (Master, Worker and two executors as separate JVMs on 127.0.0.1, one fake GPU
 * per executor). An injected poisoned-context error halts one executor mid-partition; the job must still write exactly
 * one row per input id, identical to a run without the failure and to the engine run directly, after a retry.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StandaloneClusterGenerateTest {
    private static final int ROWS = 24;
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
        Path directory = Path.of("target", "spark-cluster", "generate-" + System.currentTimeMillis()).toAbsolutePath();
        cluster = new LocalStandaloneCluster(directory, 2, 2);
        Map<String, String> conf = new HashMap<>(cluster.driverConf());
        conf.put("spark.executor.cores", "1");
        conf.put("spark.cores.max", "2");
        conf.put("spark.executor.memory", "768m");
        conf.put("spark.executor.resource.gpu.amount", "1");
        conf.put("spark.task.resource.gpu.amount", "1");
        conf.put("spark.task.maxFailures", "4");
        // Start jobs only once both executors registered, so both take generation tasks.
        conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        spark = SparkSessions.getOrCreate("StandaloneClusterGenerateTest", cluster.masterUrl(), conf);
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
    void executorLostMidJobStillGivesOneIdenticalRowPerIdAfterARetry() throws IOException {
        Path input = cluster.directory().resolve("prompts.jsonl");
        Map<String, String> prompts = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            String prompt = "Prompt number " + i + " asks about " + (i % 3 == 0 ? "rivers" : i % 3 == 1 ? "stars" : "bread");
            prompts.put("q" + i, prompt);
            lines.add("{\"id\": \"q" + i + "\", \"prompt\": \"" + prompt + "\"}");
        }
        Files.write(input, lines);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        TaskOutcomes outcomes = new TaskOutcomes();
        spark.sparkContext().addSparkListener(outcomes);

        JobSpecs clean = new JobSpecs().input(input).output(cluster.directory().resolve("clean")).partitions(4);
        JobSummary cleanRun = new GenerateJob(spark, clean.build(), quiet).run();
        assertEquals(0, outcomes.failures.size(), "the clean run needs no retry: " + outcomes.failures);

        JobSpecs faulty = new JobSpecs().input(input).output(cluster.directory().resolve("faulty")).partitions(4)
                .faultInjection("poison-context:partition=1:after=2");
        JobSummary faultyRun = new GenerateJob(spark, faulty.build(), quiet).run();

        assertTrue(outcomes.failures.stream().anyMatch(f -> f.startsWith("ExecutorLostFailure")),
                "an executor was lost: " + outcomes.failures);
        assertTrue(outcomes.retriedSuccesses > 0, "a retried attempt succeeded");
        assertTrue(faultyRun.failedTasks() > 0, "the job's own progress listener saw the failure");
        assertTrue(cleanRun.tokensPerSecondByExecutor().size() >= 2, "tokens/s per executor: "
                + cleanRun.tokensPerSecondByExecutor());
        assertEquals(ROWS, faultyRun.all().rows());
        Map<String, Row> cleanRows = rowsById(clean);
        Map<String, Row> faultyRows = rowsById(faulty);
        assertEquals(prompts.keySet(), faultyRows.keySet(), "exactly the input ids");
        assertEquals(ROWS, OutputTotals.rows(spark, faulty.build().output(), OutputFormat.PARQUET).count(), "no duplicates");
        for (String id : prompts.keySet()) {
            assertEquals(withoutTiming(cleanRows.get(id)), withoutTiming(faultyRows.get(id)), id);
        }
        Map<String, GenerationResult> engine = ExpectedCompletions.of(prompts, clean);
        for (String id : prompts.keySet()) {
            assertEquals(engine.get(id).completion(), faultyRows.get(id).getAs(GeneratedRows.COMPLETION), id);
        }
        assertEquals(ROWS, cleanRun.all().rows());

        String executorLogs = readAll(cluster.executorLogs());
        assertTrue(executorLogs.contains("exit code " + PoisonedProcessGuard.EXIT_CODE),
                "the poisoned executor halted itself");
        assertEachExecutorLoadedTheModelOnce(cluster.executorLogs());
        Matcher mapping = Pattern.compile("Spark GPU address\\(es\\) \\[(\\d)] -> CUDA ordinal\\(s\\) \\[(\\d)]")
                .matcher(executorLogs);
        List<String> mapped = new ArrayList<>();
        while (mapping.find()) {
            assertEquals(mapping.group(1), mapping.group(2), "index addresses are CUDA ordinals");
            mapped.add(mapping.group(1));
        }
        assertTrue(mapped.contains("0") && mapped.contains("1"), "both fake GPUs were used: " + mapped);
    }

    private static void assertEachExecutorLoadedTheModelOnce(List<Path> logs) throws IOException {
        Map<Path, Integer> loads = new TreeMap<>();
        for (Path log : logs) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            loads.put(log, (int) Pattern.compile("loaded model ").matcher(text).results().count());
        }
        assertTrue(loads.values().stream().allMatch(n -> n <= 1), "one load per executor JVM: " + loads);
        assertTrue(loads.values().stream().mapToInt(Integer::intValue).sum() >= 2, "both executors loaded it: " + loads);
        assertTrue(loads.size() >= 3, "the Worker replaced the halted executor: " + loads.keySet());
    }

    private static Map<String, Row> rowsById(JobSpecs specs) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Row row : OutputTotals.rows(spark, specs.build().output(), OutputFormat.PARQUET).collectAsList()) {
            rows.put(row.getAs(GeneratedRows.ID), row);
        }
        return rows;
    }

    private static List<Object> withoutTiming(Row row) {
        List<Object> values = new ArrayList<>();
        for (String field : GeneratedRows.SCHEMA.fieldNames()) {
            if (!GeneratedRows.TIMING_COLUMNS.contains(field)) {
                values.add(row.getAs(field));
            }
        }
        return values;
    }

    private static String readAll(List<Path> files) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Path file : files) {
            text.append(Files.readString(file, StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    /** Failed task attempts (by reason) and successful retries, as the scheduler reports them. */
    private static final class TaskOutcomes extends SparkListener {
        final List<String> failures = new CopyOnWriteArrayList<>();
        volatile int retriedSuccesses;

        @Override
        public void onTaskEnd(SparkListenerTaskEnd event) {
            if (event.reason() == Success$.MODULE$) {
                if (event.taskInfo().attemptNumber() > 0) {
                    retriedSuccesses++;
                }
            } else {
                String reason = event.reason() instanceof ExecutorLostFailure lost
                        ? "ExecutorLostFailure: " + lost.toErrorString() : event.reason().getClass().getSimpleName();
                failures.add(reason);
            }
        }
    }
}
