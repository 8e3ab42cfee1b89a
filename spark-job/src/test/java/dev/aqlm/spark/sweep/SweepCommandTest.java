package dev.aqlm.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.spark.eval.OutputFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The sweep command line: options into the job spec, and a sweep run as a user runs it. */
class SweepCommandTest {
    @Test
    void sweepOptionsBecomeTheJobSpec() {
        SweepCommand command = new SweepCommand();
        new CommandLine(command).parseArgs("--models", "org/a, /models/b", "--tasks", "piqa,boolq", "--data", "d",
                "--output", "o", "--max-length", "2048", "--rule", "v0.4.0", "--limit", "0.5", "--partitions", "6",
                "--requests-per-call", "512", "--backend", "cpu", "--slots", "16", "--bootstrap-iters", "0");
        SweepSpec spec = command.toSpec();
        assertEquals(List.of("org/a", "/models/b"), spec.models());
        assertEquals("piqa,boolq", spec.tasks());
        assertEquals(2048, spec.maxLength());
        assertEquals(ScoringRules.V0_4_0, spec.rules());
        assertEquals(0.5, spec.limit());
        assertEquals(6, spec.partitions());
        assertEquals(512, spec.requestsPerCall());
        assertEquals(0, spec.bootstrapIterations());
        assertEquals(EngineOptions.BackendKind.CPU, spec.engine().backend());
        assertEquals(16, spec.engine().slots());
    }

    @Test
    void sweepPrintsTheCombinedTableAndWritesEachModelsResults(@TempDir Path output) throws IOException {
        String model = Fixtures.model("llama-mistraltok-aqlm-2x8").toString();
        SweepCommand command = new SweepCommand();
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        command.stdout = new PrintStream(table, true, StandardCharsets.UTF_8);
        int status = RuntimeCli.execute(command, new String[] {"--models", model, "--tasks", "boolq,piqa",
                "--data", Fixtures.root().resolve("lmeval/tasks").toString(), "--max-length", "48", "--limit", "2",
                "--output", output.toString(), "--master", "local[2]", "--backend", "cpu", "--threads", "1",
                "--progress-interval", "0"});
        assertEquals(0, status);
        List<String> lines = table.toString(StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank()).toList();
        assertTrue(lines.get(0).matches("\\|\\s*Tasks\\s*\\|Version\\|Filter\\|\\s*Metric\\s*\\|\\s*\\|\\s*" + model + "\\s*\\|"),
                lines.get(0));
        assertTrue(lines.get(2).startsWith("|boolq|      2|none  |acc     |↑  |"), String.join("\n", lines));
        assertEquals(2 + 3, lines.size(), "boolq acc; piqa acc, acc_norm: " + lines);
        try (Stream<Path> files = Files.list(output)) {
            assertEquals(List.of("csv", "json"), files.map(f -> f.getFileName().toString())
                    .filter(name -> name.startsWith("sweep_")).map(name -> name.substring(name.lastIndexOf('.') + 1))
                    .sorted().toList());
        }
        try (Stream<Path> files = Files.list(output.resolve(OutputFiles.sanitizeModelName(model)))) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("results_")).count());
        }
    }
}
