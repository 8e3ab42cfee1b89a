package dev.aqlm.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.checkpoint.DType;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.runtime.synthetic.SyntheticModelWriter;
import dev.aqlm.runtime.synthetic.SyntheticShape;
import dev.aqlm.spark.eval.CombinedResults;
import dev.aqlm.spark.eval.DatasetNotFoundException;
import dev.aqlm.spark.eval.ModelResults;
import dev.aqlm.spark.eval.TaskDataException;
import dev.aqlm.spark.session.SparkSessions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark evaluation on local Spark with several partitions, against the single-process eval command run on the
 * same model, tasks and settings: results files must be equal apart from dates and timings, and so must the samples.
 * Both use the CPU backend, whose numbers do not depend on how requests are batched, so equality is exact.
 */
class SweepJobLocalTest {
    private static final String FIXTURE_MODEL = SingleProcessEval.FIXTURE_MODEL;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    static Path models;
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.getOrCreate("SweepJobLocalTest", "local[2,4]", Map.of());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static SweepSpec.Builder spec(List<String> models, String tasks, Path output) {
        return SingleProcessEval.sparkSpec(models, tasks, ScoringRules.CURRENT, output);
    }

    @Test
    void sparkEvalWritesWhatTheSingleProcessEvalWrites(@TempDir Path dir) {
        String tasks = SingleProcessEval.ALL_TASKS;
        SingleProcessEval.run(FIXTURE_MODEL, tasks, ScoringRules.CURRENT, dir.resolve("single"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        // Few requests per engine call, so partitions are scored in several calls too.
        SweepSpec sweep = spec(List.of(FIXTURE_MODEL), tasks, dir.resolve("spark")).partitions(3).requestsPerCall(16)
                .build();

        SparkActivity activity = new SparkActivity();
        spark.sparkContext().addSparkListener(activity);
        List<ModelResults> results;
        try {
            results = new SweepJob(spark, sweep, new PrintStream(console, true), QUIET).run();
        } finally {
            spark.sparkContext().removeSparkListener(activity);
        }

        assertTrue(results.get(0).succeeded());
        assertEquals(List.of(1, 3), List.of(activity.jobs.get(), activity.tasks.get()),
                "one job of three tasks (no shuffle stage)");
        String log = console.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("in 3 partition(s)"), log);
        assertTrue(log.matches("(?s).*scored \\d+ requests in [\\d.]+ s: [\\d.]+ requests/s, \\d+ tokens/s.*"), log);
        EvalResultsFiles single = new EvalResultsFiles(dir.resolve("single"), FIXTURE_MODEL);
        EvalResultsFiles cluster = new EvalResultsFiles(dir.resolve("spark"), FIXTURE_MODEL);
        assertEquals(9, single.results().get("results").size(), "every task has results");
        assertEquals(single.results(), cluster.results());
        assertEquals(9, single.samples().size());
        assertEquals(single.samples(), cluster.samples());
        assertEquals(single.computedTokens(), cluster.computedTokens(), "prefix sharing survives the partitioning");
    }

    @Test
    void sweepWritesEachModelsEvalResultsAndACombinedTable(@TempDir Path dir) throws IOException {
        Path synthetic = models.resolve("tiny-synthetic-2x8");
        new SyntheticModelWriter(SyntheticShape.TINY, DType.F16, SyntheticModelWriter.scheme("2x8"), 7).write(synthetic);
        // A checkpoint that the driver can see but no executor can load: it fails on the executors, and alone.
        Path broken = Files.createDirectories(models.resolve("broken-model"));
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"llama\"}");
        List<String> sweepModels = List.of(FIXTURE_MODEL, broken.toString(), synthetic.toString());
        String tasks = "arc_easy,lambada_openai,wikitext";

        List<ModelResults> results = new SweepJob(spark, spec(sweepModels, tasks, dir.resolve("sweep"))
                .rules(ScoringRules.V0_4_0).partitions(2).build(), QUIET, QUIET).run();

        assertEquals(sweepModels, results.stream().map(ModelResults::model).toList());
        assertTrue(results.get(0).succeeded() && results.get(2).succeeded());
        assertFalse(results.get(1).succeeded(), "a model that cannot load fails alone");
        assertTrue(results.get(1).error().startsWith("scoring with " + broken + " failed"), results.get(1).error());
        for (String model : List.of(FIXTURE_MODEL, synthetic.toString())) {
            SingleProcessEval.run(model, tasks, ScoringRules.V0_4_0, dir.resolve("single"));
            EvalResultsFiles single = new EvalResultsFiles(dir.resolve("single"), model);
            EvalResultsFiles swept = new EvalResultsFiles(dir.resolve("sweep"), model);
            assertEquals(single.results(), swept.results(), model);
            assertEquals(single.samples(), swept.samples(), model);
        }

        CombinedResults combined = new CombinedResults(results);
        String table = combined.markdown();
        List<String> lines = table.lines().toList();
        assertTrue(lines.get(0).contains(FIXTURE_MODEL) && lines.get(0).contains(synthetic.toString()), table);
        assertFalse(lines.get(0).contains("broken-model"), "a failed model has no column: " + table);
        // arc_easy: acc, acc_norm; lambada_openai: acc, perplexity; wikitext: three perplexities.
        assertEquals(2 + 7, lines.size(), table);
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("|arc_easy      |      1|none  |acc ")), table);
        List<Path> files = combined.write(dir.resolve("sweep"), LocalDateTime.now());
        JsonNode json = new ObjectMapper().readTree(files.get(0).toFile());
        assertEquals(2 * 7, json.get("results").size());
        assertEquals(3, json.get("models").size());
        assertTrue(json.get("models").get(1).get("error").asText().contains("broken-model"));
        assertTrue(json.get("models").get(0).get("error").isNull());
        List<String> csv = Files.readAllLines(files.get(1));
        assertEquals("model,task,version,filter,metric,higher_is_better,value,stderr", csv.get(0));
        assertEquals(1 + 2 * 7, csv.size());
        assertTrue(csv.stream().anyMatch(line -> line.matches(".*,wikitext,2,none,word_perplexity,False,[\\d.e+]+,N/A")),
                String.join("\n", csv));
    }

    @Test
    void badTaskMissingDataOrMissingModelFailsOnTheDriverBeforeAnySparkJob(@TempDir Path dir) {
        SparkActivity jobs = new SparkActivity();
        spark.sparkContext().addSparkListener(jobs);
        try {
            TaskDataException unknown = assertThrows(TaskDataException.class, () -> new SweepJob(spark,
                    spec(List.of(FIXTURE_MODEL), "piqa,hellaswagg", dir).build(), QUIET, QUIET).run());
            assertTrue(unknown.getMessage().startsWith("unknown task 'hellaswagg'; known tasks: hellaswag, piqa"),
                    unknown.getMessage());
            DatasetNotFoundException missing = assertThrows(DatasetNotFoundException.class, () -> new SweepJob(spark,
                    SweepSpec.builder(List.of(FIXTURE_MODEL), "piqa", dir, dir).build(), QUIET, QUIET).run());
            assertTrue(missing.getMessage().startsWith("piqa: no dataset found; looked for " + dir.resolve("piqa.jsonl")),
                    missing.getMessage());
            String typo = dir.resolve("no-such-model").toString();
            AqlmException noModel = assertThrows(AqlmException.class, () -> new SweepJob(spark,
                    spec(List.of(FIXTURE_MODEL, typo), "piqa", dir).build(), QUIET, QUIET).run());
            assertTrue(noModel.getMessage().startsWith("model '" + typo + "' is neither a directory"),
                    noModel.getMessage());
        } finally {
            spark.sparkContext().removeSparkListener(jobs);
        }
        assertEquals(0, jobs.jobs.get(), "no Spark job started");
    }

    /** Jobs started and tasks finished while it listens. */
    private static final class SparkActivity extends SparkListener {
        final AtomicInteger jobs = new AtomicInteger();
        final AtomicInteger tasks = new AtomicInteger();

        @Override
        public void onJobStart(SparkListenerJobStart event) {
            jobs.incrementAndGet();
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd event) {
            tasks.incrementAndGet();
        }
    }
}
