package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.cli.RuntimeCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What every command shares: --version, described options, one-line errors and exit codes. */
class CommandLineBasicsTest {
    @TempDir
    Path dir;

    private record Outcome(int exit, String out, String err) {
    }

    private static Outcome run(Object root, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int exit = RuntimeCli.execute(root, args);
            return new Outcome(exit, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
            err.print(stderr.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void versionPrintsTheVersion() {
        Outcome outcome = run(new AqlmSparkCli(), "--version");
        assertEquals(0, outcome.exit());
        assertTrue(outcome.out().startsWith("aqlm-spark "), outcome.out());
    }

    @Test
    void everyOptionOfEveryCommandIsDescribed() {
        List<String> undescribed = new ArrayList<>();
        for (Object root : List.of(new AqlmSparkCli(), new RuntimeCli())) {
            collectUndescribed(new CommandLine(root), undescribed);
        }
        assertEquals(List.of(), undescribed);
    }

    private static void collectUndescribed(CommandLine command, List<String> undescribed) {
        for (OptionSpec option : command.getCommandSpec().options()) {
            if (!option.hidden() && String.join("", option.description()).isBlank()) {
                undescribed.add(command.getCommandSpec().qualifiedName() + " " + option.longestName());
            }
        }
        command.getSubcommands().values().forEach(sub -> collectUndescribed(sub, undescribed));
    }

    @Test
    void numbersOutOfRangeAndAnUnknownMasterAreOneLineErrors() {
        Outcome iterations = run(new AqlmSparkCli(), "eval", "--model", "m", "--tasks", "boolq", "--data", "d",
                "--output", dir.toString(), "--bootstrap-iters", "-5");
        assertEquals(1, iterations.exit());
        assertTrue(iterations.err().startsWith("error: --bootstrap-iters must be 0 or more, got -5"), iterations.err());
        Outcome master = run(new AqlmSparkCli(), "bulk-generate", "--model", "m", "--input", "i", "--output",
                dir.resolve("o").toString(), "--master", "bogus://x");
        assertEquals(1, master.exit());
        assertTrue(master.err().startsWith("error: --master 'bogus://x' is not a Spark master"), master.err());
        Outcome dataFile = run(new AqlmSparkCli(), "eval", "--model", "m", "--tasks", "boolq", "--data",
                Fixtures.root().resolve("lmeval/tasks/boolq.jsonl").toString(), "--output", dir.toString());
        assertEquals(1, dataFile.exit());
        assertTrue(dataFile.err().contains("boolq.jsonl is a file; give the folder"), dataFile.err());
        Outcome maxLength = run(new AqlmSparkCli(), "eval", "--model",
                Fixtures.model("llama-mistraltok-aqlm-2x8").toString(), "--tasks", "boolq", "--data",
                Fixtures.root().resolve("lmeval/tasks").toString(), "--output", dir.toString(), "--max-length", "4096");
        assertEquals(1, maxLength.exit());
        assertTrue(maxLength.err().startsWith("error: --max-length 4096 exceeds the model's max_position_embeddings 512"),
                "the same wording as generate's --context-length: " + maxLength.err());
        Outcome usage = run(new AqlmSparkCli(), "generate", "--max-new-tokens", "99999999999");
        assertEquals(2, usage.exit(), "a command line picocli cannot parse");
        for (Outcome outcome : List.of(iterations, master, dataFile, maxLength, usage)) {
            assertTrue(!outcome.err().contains("\tat "), outcome.err());
        }
    }

    @Test
    void aBulkJobWhoseRowsAllFailedExitsOne() throws Exception {
        Path input = Files.write(dir.resolve("bad.jsonl"), List.of("{\"prompt\": \"cut", "{\"prompt\": null}"));
        Outcome outcome = run(new AqlmSparkCli(), "bulk-generate", "--model",
                Fixtures.model("llama-mistraltok-aqlm-2x8").toString(), "--input", input.toString(), "--output",
                dir.resolve("out").toString(), "--backend", "cpu", "--master", "local[1]", "--progress-interval", "0");
        assertEquals(1, outcome.exit(), outcome.err());
        assertTrue(outcome.err().contains("every one of the 2 rows of this run failed"), outcome.err());
        assertTrue(outcome.out().contains("2 with an error"), "the summary is still printed: " + outcome.out());
    }
}
