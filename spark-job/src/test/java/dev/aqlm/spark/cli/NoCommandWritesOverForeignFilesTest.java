package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.spark.eval.OutputFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks every command that writes (generate --output, synthesize, bench --json, bulk-generate, eval, sweep, demo) as a
 * careless user would aim it: at files and folders it did not create, with and without its overwrite flag, and at the
 * real working directory as {@code --output .}. Each must refuse, naming what it found, and leave every file exactly as
 * it was; where the command writes new dated files (eval, sweep) the files already there stay untouched.
 */
class NoCommandWritesOverForeignFilesTest {
    private static final String MODEL = Fixtures.model("llama-mistraltok-aqlm-2x8").toString();

    @TempDir
    Path dir;

    private record Outcome(int exit, String errors) {
    }

    /** Runs aqlm-spark in this JVM, capturing stdout and stderr. */
    private static Outcome cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
            int exit = RuntimeCli.execute(new AqlmSparkCli(), args);
            return new Outcome(exit, errors.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
            err.print(errors.toString(StandardCharsets.UTF_8));
        }
    }

    /** Runs aqlm-spark as a user does, in its own JVM whose working directory is {@code cwd}. */
    private Outcome cliIn(Path cwd, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "cli", ".log");
        Process process = CliProcess.start(cwd, log, CliProcess.command(List.of(), args));
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "finished");
        String output = Files.readString(log);
        System.err.print(output);
        return new Outcome(process.exitValue(), output);
    }

    /** A folder of files someone else made: a notes file, a data file, and a subfolder. */
    private Path foreignFolder(String name) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.writeString(folder.resolve("notes.txt"), "my notes");
        Files.writeString(folder.resolve("data.jsonl"), "{\"id\": 1}\n");
        Files.createDirectories(folder.resolve("sub"));
        Files.writeString(folder.resolve("sub/keep.json"), "{}");
        return folder;
    }

    /** Every file under {@code root} with its size and a hash of its bytes, to prove nothing was deleted or changed. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(path);
                files.put(root.relativize(path).toString(), bytes.length + " bytes, hash " + Arrays.hashCode(bytes));
            }
        }
        return files;
    }

    private static void assertRefused(Outcome outcome, String... phrases) {
        assertTrue(outcome.exit() != 0, "refused with a non-zero exit: " + outcome.errors());
        for (String phrase : phrases) {
            assertTrue(outcome.errors().contains(phrase), "expected '" + phrase + "' in: " + outcome.errors());
        }
        // Only our own report is judged: Spark may log warnings of its own (with traces) before it.
        String report = outcome.errors().substring(Math.max(0, outcome.errors().lastIndexOf("error: ")));
        assertTrue(!report.contains("\tat "), "one line, no stack trace: " + report);
    }

    @Test
    void generateNeverReplacesAFileItDidNotWrite() throws Exception {
        Path folder = foreignFolder("generate");
        Path prompts = Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"Hello\"}\n");
        Map<String, String> before = snapshot(folder);
        String[] args = {"generate", "--model", MODEL, "--prompts", prompts.toString(), "--backend", "cpu",
            "--max-new-tokens", "2", "--output"};
        assertRefused(cli(concat(args, folder.resolve("data.jsonl").toString())), "already exists");
        assertRefused(cli(concat(args, folder.resolve("data.jsonl").toString(), "--overwrite")),
                "is not a generate results file");
        assertRefused(cliIn(folder, concat(args, ".", "--overwrite")), "is a folder");
        assertEquals(before, snapshot(folder));
    }

    @Test
    void synthesizeNeverWritesIntoAFolderItDidNotWrite() throws Exception {
        Path folder = foreignFolder("synthesize");
        Map<String, String> before = snapshot(folder);
        assertRefused(cli("synthesize", "--shape", "tiny", "--output", folder.toString()),
                "is not a synthetic checkpoint");
        assertRefused(cli("synthesize", "--shape", "tiny", "--output", folder.toString(), "--overwrite"),
                "never written over");
        assertRefused(cliIn(folder, "synthesize", "--shape", "tiny", "--output", ".", "--overwrite"),
                "is not a synthetic checkpoint");
        assertEquals(before, snapshot(folder));
    }

    @Test
    void benchNeverReplacesAJsonThatIsNotABenchResult() throws Exception {
        Path folder = foreignFolder("bench");
        Map<String, String> before = snapshot(folder);
        String[] args = {"bench", "--backend", "cpu", "--model", MODEL, "--json", folder.resolve("sub/keep.json")
                .toString()};
        assertRefused(cli(args), "already exists");
        assertRefused(cli(concat(args, "--overwrite")), "is not a bench results file");
        assertEquals(before, snapshot(folder));
    }

    @Test
    void bulkGenerateOverwriteNeverDeletesAFolderItDidNotWriteNorTheWorkingDirectory() throws Exception {
        Path folder = foreignFolder("bulk");
        Map<String, String> before = snapshot(folder);
        String input = folder.resolve("data.jsonl").toString();
        String[] args = {"bulk-generate", "--model", MODEL, "--backend", "cpu", "--max-new-tokens", "2",
            "--master", "local[1]", "--progress-interval", "0", "--input"};
        assertRefused(cli(concat(args, input, "--output", folder.toString())), "lies inside --output");
        Path elsewhere = Files.writeString(dir.resolve("prompts.jsonl"), "{\"prompt\": \"Hello\"}\n");
        assertRefused(cli(concat(args, elsewhere.toString(), "--output", folder.toString())), "already exists");
        assertRefused(cli(concat(args, elsewhere.toString(), "--output", folder.toString(), "--overwrite")),
                "is not the output of aqlm-spark bulk-generate", "nothing was deleted");
        assertRefused(cliIn(folder, concat(args, elsewhere.toString(), "--output", ".", "--overwrite")),
                "is not the output of aqlm-spark bulk-generate");
        assertEquals(before, snapshot(folder));
    }

    @Test
    void evalAndSweepAddTheirDatedFilesAndTouchNothingElse() throws Exception {
        Path folder = foreignFolder("results");
        Path modelFolder = Files.createDirectories(folder.resolve(OutputFiles.sanitizeModelName(MODEL)));
        Files.writeString(modelFolder.resolve("results_2020-01-01T00-00-00.json"), "an earlier run");
        Map<String, String> before = snapshot(folder);
        String[] common = {"--tasks", "boolq", "--data", Fixtures.root().resolve("lmeval/tasks").toString(),
            "--max-length", "48", "--limit", "2", "--backend", "cpu", "--threads", "1", "--output"};
        assertEquals(0, cli(concat(new String[] {"eval", "--model", MODEL}, concat(common, folder.toString()))).exit());
        assertEquals(0, cli(concat(new String[] {"sweep", "--models", MODEL, "--master", "local[1]",
            "--progress-interval", "0"}, concat(common, folder.toString()))).exit());
        Map<String, String> after = snapshot(folder);
        before.forEach((file, content) -> assertEquals(content, after.get(file), file + " untouched"));
        assertEquals(before.size() + 4, after.size(), "eval's results, sweep's results, sweep's json and csv: "
                + after.keySet());

        Path blocked = foreignFolder("blocked");
        Files.writeString(blocked.resolve(OutputFiles.sanitizeModelName(MODEL)), "a file where the model folder goes");
        Map<String, String> blockedBefore = snapshot(blocked);
        assertRefused(cli(concat(new String[] {"eval", "--model", MODEL}, concat(common, blocked.toString()))),
                "is a file, not a folder");
        assertEquals(blockedBefore, snapshot(blocked));
    }

    @Test
    void demoNeverReplacesFilesItDidNotWriteInItsWorkDir() throws Exception {
        Path folder = foreignFolder("demo");
        Files.writeString(folder.resolve("prompts.jsonl"), "{\"prompt\": \"my own prompt\"}\n");
        Map<String, String> before = snapshot(folder);
        assertRefused(cli("demo", "--work-dir", folder.toString(), "--backend", "cpu", "--max-new-tokens", "1"),
                "is not the demo's bundled prompts file");
        assertEquals(before, snapshot(folder));

        Path work = Files.createDirectories(dir.resolve("demo-work/output"));
        Files.writeString(work.resolve("notes.txt"), "my notes in the demo's output folder");
        Map<String, String> output = snapshot(work);
        assertRefused(cli("demo", "--work-dir", work.getParent().toString(), "--backend", "cpu",
                "--max-new-tokens", "1"), "is not the output of aqlm-spark bulk-generate");
        assertEquals(output, snapshot(work));
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
