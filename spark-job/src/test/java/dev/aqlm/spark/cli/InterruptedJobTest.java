package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C of a running bulk-generate: one line, exit 130, and --resume then completes every id exactly once. */
class InterruptedJobTest {
    /** Eight commit waves of 24 rows: the first commits long before the last, so Ctrl-C lands mid-job. */
    private static final int ROWS = 192;

    /**
     * A JVM started from a background (non-interactive) shell inherits SIGINT as ignored and cannot handle it, which
     * is not what a user's terminal does; python restores the default before exec-ing java.
     */
    private static final List<String> WITH_CTRL_C = List.of("python3", "-c",
            "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])");

    @TempDir
    Path dir;

    @Test
    void ctrlCStopsWithOneLineAndResumeCompletesEveryRowOnce() throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0,
                "python3 restores SIGINT for the child JVM; without it Ctrl-C cannot be sent from a test");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            lines.add("{\"id\": \"r" + i + "\", \"prompt\": \"Once upon a time, row " + i + "\"}");
        }
        Path input = Files.write(dir.resolve("prompts.jsonl"), lines);
        Path output = dir.resolve("out");
        String[] args = {"bulk-generate", "--model", Fixtures.model("llama-mistraltok-aqlm-2x8").toString(),
            "--input", input.toString(), "--output", output.toString(), "--backend", "cpu", "--threads", "1",
            "--max-new-tokens", "24", "--commit-every", "24", "--master", "local[1]", "--progress-interval", "0"};

        Path log = dir.resolve("interrupted.log");
        Process job = CliProcess.start(dir, log, CliProcess.command(WITH_CTRL_C, args));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!committedAWave(output) && job.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(job.isAlive(), "still generating when interrupted: " + Files.readString(log));
        new ProcessBuilder("kill", "-INT", Long.toString(job.pid())).start().waitFor();
        assertTrue(job.waitFor(60, TimeUnit.SECONDS), "stopped");
        String printed = Files.readString(log);
        System.err.print(printed);
        assertEquals(130, job.exitValue(), printed);
        String report = printed.substring(printed.indexOf("interrupted: "));
        // A wave that was committing when Ctrl-C came may still report itself; nothing fails loudly after.
        assertTrue(!report.contains("\tat ") && !report.contains("error:") && !report.contains("ERROR"),
                "one line, no failures, after Ctrl-C: " + report);

        Path resumed = dir.resolve("resumed.log");
        Process resume = CliProcess.start(dir, resumed, CliProcess.command(List.of(),
                concatenate(args, "--resume")));
        assertTrue(resume.waitFor(300, TimeUnit.SECONDS), "resumed job finished");
        assertEquals(0, resume.exitValue(), Files.readString(resumed));
        assertEquals(ROWS, ids(output).size(), "every id exactly once");
    }

    private static boolean committedAWave(Path output) throws Exception {
        if (!Files.isDirectory(output)) {
            return false;
        }
        try (Stream<Path> files = Files.list(output)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("part-"));
        }
    }

    /** The ids of the output's Parquet rows, failing on a repeated one (read with Spark's own reader). */
    private static Set<String> ids(Path output) {
        org.apache.spark.sql.SparkSession spark = dev.aqlm.spark.session.SparkSessions.getOrCreate(
                "InterruptedJobTest", "local[1]", java.util.Map.of());
        try {
            List<String> all = spark.read().parquet(output.toString()).select("id").as(
                    org.apache.spark.sql.Encoders.STRING()).collectAsList();
            Set<String> unique = new HashSet<>(all);
            assertEquals(all.size(), unique.size(), "no id twice");
            return unique;
        } finally {
            spark.stop();
        }
    }

    private static String[] concatenate(String[] args, String more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = more;
        return all;
    }
}
