package dev.aqlm.spark.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.spark.generate.JobSpecs;
import dev.aqlm.spark.sweep.EvalResultsFiles;
import dev.aqlm.spark.sweep.SingleProcessEval;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's two spark-submit commands (bulk generation: the application jar's main class; SweepJob) run through
 * {@link SparkSubmitLauncher} on a given master with the fixture model, and what each must show: success, every row,
 * the single-process eval's metrics, and a console free of Spark's and DJL's noise.
 */
final class ReadmeJobs {
    static final String SWEEP_JOB = "dev.aqlm.spark.sweep.SweepJob";
    static final Path MODEL = JobSpecs.modelDirectory();
    private static final Path TASK_FILES = SingleProcessEval.TASK_FILES;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final int PROMPTS = 4;
    private static final Pattern ENGINE_THREADS = Pattern.compile("on cpu \\((\\d+) threads\\)");

    private final SparkSubmitLauncher launcher;
    private final String master;
    private final Path directory;

    ReadmeJobs(Path sparkHome, String master, Path directory) {
        this.launcher = new SparkSubmitLauncher(sparkHome, Fixtures.root().getParent());
        this.master = master;
        this.directory = directory;
    }

    /** Runs the README's bulk-generation command; returns what the driver printed. */
    String assertBulkGenerationWritesEveryRow(List<String> extraOptions) throws IOException, InterruptedException {
        Path input = directory.resolve("prompts.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            lines.add("{\"id\": \"p" + i + "\", \"prompt\": \"Tell me about river number " + i + "\"}");
        }
        Files.write(input, lines);
        Path output = directory.resolve("completions");
        SparkSubmitLauncher.Run run = submit(null, Map.of("--model", MODEL.toString(), "--input", input.toString(),
                "--output", output.toString()), extraOptions, "bulk-generate");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("output:      " + output + " (parquet, " + PROMPTS + " rows, 0 with an error)"),
                "the summary read back from the written output: " + run.output());
        assertTrue(Files.exists(output.resolve("_SUCCESS")), "committed");
        assertQuiet(run.output());
        return run.output();
    }

    /** Runs the README's SweepJob command; its metrics must equal eval's, run in this process with the same options. */
    void assertSweepScoresAsEval() throws IOException, InterruptedException {
        Path output = directory.resolve("sweep");
        List<String> readme = ReadmeSparkSubmit.command(SWEEP_JOB);
        SparkSubmitLauncher.Run run = submit(SWEEP_JOB, Map.of("--models", MODEL.toString(), "--data",
                TASK_FILES.toString(), "--output", output.resolve("spark").toString()), List.of(), "sweep");
        assertEquals(0, run.exitCode(), run.output());
        assertQuiet(run.output());

        String tasks = readme.get(readme.indexOf("--tasks") + 1);
        SingleProcessEval.evalCommand("--model", MODEL.toString(), "--tasks", tasks, "--data", TASK_FILES.toString(),
                "--output", output.resolve("single").toString());
        assertEquals(new EvalResultsFiles(output.resolve("single"), MODEL.toString()).results().get("results"),
                new EvalResultsFiles(output.resolve("spark"), MODEL.toString()).results().get("results"));
    }

    /** Threads the CPU backend used in each model load logged in {@code text}. */
    static List<Integer> engineThreads(String text) {
        List<Integer> threads = new ArrayList<>();
        Matcher m = ENGINE_THREADS.matcher(text);
        while (m.find()) {
            threads.add(Integer.parseInt(m.group(1)));
        }
        return threads;
    }

    SparkSubmitLauncher.Run submit(String mainClass, Map<String, String> paths, List<String> extraOptions, String name)
            throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(extraOptions);
        arguments.addAll(ReadmeSparkSubmit.localized(ReadmeSparkSubmit.command(mainClass), master, paths));
        return launcher.run(arguments, directory.resolve("spark-submit-" + name + ".log"), TIMEOUT);
    }

    /** No DJL CUDA probe warning, no Spark INFO lines or default-profile banner on the user's console. */
    private static void assertQuiet(String output) {
        assertFalse(output.contains("Failed to detect GPU count"), output);
        assertFalse(output.contains("Using Spark's default log4j profile"), output);
        assertFalse(output.contains(" INFO SparkContext"), output);
    }
}
