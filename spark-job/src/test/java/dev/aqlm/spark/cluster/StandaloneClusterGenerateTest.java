package dev.aqlm.spark.cluster;

import dev.aqlm.runtime.generation.GeneratedRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.spark.generate.ExpectedCompletions;
import dev.aqlm.spark.generate.GenerateJob;
import dev.aqlm.spark.generate.GeneratedRows;
import dev.aqlm.spark.generate.JobSpecs;
import dev.aqlm.spark.generate.JobSummary;
import dev.aqlm.spark.generate.OutputFormat;
import dev.aqlm.spark.generate.OutputTotals;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job on a real standalone cluster (Master, Worker and two executors as separate JVMs on 127.0.0.1, one fake GPU
 * per executor). An injected poisoned-context error halts one executor mid-partition; the job must still write exactly
 * one row per input id, identical to a run without the failure and to the engine run directly, after a retry.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StandaloneClusterGenerateTest {
    private static final int ROWS = 24;

    @RegisterExtension
    static final TwoExecutorCluster CLUSTER = new TwoExecutorCluster("generate");

    @Test
    void executorLostMidJobStillGivesOneIdenticalRowPerIdAfterARetry() throws IOException {
        Path input = CLUSTER.directory().resolve("prompts.jsonl");
        Map<String, String> prompts = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            String prompt = "Prompt number " + i + " asks about " + (i % 3 == 0 ? "rivers" : i % 3 == 1 ? "stars" : "bread");
            prompts.put("q" + i, prompt);
            lines.add("{\"id\": \"q" + i + "\", \"prompt\": \"" + prompt + "\"}");
        }
        Files.write(input, lines);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        SparkSession spark = CLUSTER.spark();
        TwoExecutorCluster.TaskOutcomes outcomes = CLUSTER.outcomes();

        JobSpecs clean = new JobSpecs().input(input).output(CLUSTER.directory().resolve("clean")).partitions(4);
        JobSummary cleanRun = new GenerateJob(spark, clean.build(), quiet).run();
        assertEquals(0, outcomes.failures.size(), "the clean run needs no retry: " + outcomes.failures);

        JobSpecs faulty = new JobSpecs().input(input).output(CLUSTER.directory().resolve("faulty")).partitions(4)
                .faultInjection("poison-context:partition=1:after=2");
        JobSummary faultyRun = new GenerateJob(spark, faulty.build(), quiet).run();

        CLUSTER.assertAnExecutorHaltedAndItsTasksWereRetried();
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
            assertEquals(engine.get(id).completion(), faultyRows.get(id).getAs(GeneratedRow.COMPLETION), id);
        }
        assertEquals(ROWS, cleanRun.all().rows());

        String executorLogs = CLUSTER.executorLogText();
        Matcher mapping = Pattern.compile("Spark GPU address\\(es\\) \\[(\\d)] -> CUDA ordinal\\(s\\) \\[(\\d)]")
                .matcher(executorLogs);
        List<String> mapped = new ArrayList<>();
        while (mapping.find()) {
            assertEquals(mapping.group(1), mapping.group(2), "index addresses are CUDA ordinals");
            mapped.add(mapping.group(1));
        }
        assertTrue(mapped.contains("0") && mapped.contains("1"), "both fake GPUs were used: " + mapped);
    }

    private static Map<String, Row> rowsById(JobSpecs specs) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Row row : OutputTotals.rows(CLUSTER.spark(), specs.build().output(), OutputFormat.PARQUET).collectAsList()) {
            rows.put(row.getAs(GeneratedRow.ID), row);
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
}
