package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.cli.RuntimeCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The eval command end to end on the fixture model and task files, as a user runs it. */
class EvalCommandTest {
    @TempDir
    Path output;

    private final ByteArrayOutputStream table = new ByteArrayOutputStream();

    private int run(String... args) {
        EvalCommand command = new EvalCommand();
        command.stdout = new PrintStream(table, true, StandardCharsets.UTF_8);
        return RuntimeCli.execute(command, args);
    }

    @Test
    void writesLmEvalResultsSamplesAndTable() throws IOException {
        String model = Fixtures.model("llama-mistraltok-aqlm-2x8").toString();
        int status = run("--model", model, "--tasks", "hellaswag,lambada_openai,wikitext,winogrande",
                "--data", Fixtures.root().resolve("lmeval/tasks").toString(), "--max-length", "48", "--rule", "v0.4.0",
                "--limit", "2", "--log-samples", "--output", output.toString(), "--backend", "cpu", "--threads", "1",
                "--slots", "4", "--bootstrap-iters", "1000");
        assertEquals(0, status);
        Path folder = output.resolve(model.replaceAll("[\"<>:/|\\\\?*\\[\\]]+", "__"));
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.sorted().toList();
        }
        assertEquals(5, files.size(), files.toString());
        Path resultsFile = files.stream().filter(f -> f.getFileName().toString().startsWith("results_")).findFirst()
                .orElseThrow();
        JsonNode results = new ObjectMapper().readTree(resultsFile.toFile());
        assertEquals(List.of("hellaswag", "lambada_openai", "wikitext", "winogrande"),
                iterate(results.get("results").fieldNames()));
        assertEquals(2, results.get("n-samples").get("hellaswag").get("effective").asInt());
        assertEquals(4, results.get("n-samples").get("hellaswag").get("original").asInt());
        assertEquals("N/A", results.get("results").get("wikitext").get("word_perplexity_stderr,none").asText());
        assertEquals("v0.4.0", results.get("config").get("rule").asText());
        assertEquals(2, results.get("config").get("prefix_token_id").asInt());
        assertEquals(1.0, results.get("versions").get("hellaswag").asDouble());
        for (Path samples : files) {
            if (samples.getFileName().toString().startsWith("samples_")) {
                assertEquals(2, Files.readAllLines(samples).size(), samples.toString());
            }
        }
        String printed = table.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("|    Tasks     |Version|Filter|n-shot|    Metric     |"), printed);
        assertTrue(printed.contains("|wikitext      |      2|none  |     0|bits_per_byte  |↓  |"), printed);
    }

    @Test
    void aQuantizedKvCacheIsRecordedInTheResultsConfigAndModelArgs() throws IOException {
        String model = Fixtures.model("llama-mistraltok-aqlm-2x8").toString();
        int status = run("--model", model, "--tasks", "arc_easy,wikitext", "--data",
                Fixtures.root().resolve("lmeval/tasks").toString(), "--max-length", "48", "--limit", "2",
                "--output", output.toString(), "--backend", "cpu", "--threads", "1", "--slots", "4",
                "--kv-cache-bits", "4", "--kv-group-size", "8", "--kv-residual-length", "8");
        assertEquals(0, status);
        Path folder = output.resolve(model.replaceAll("[\"<>:/|\\\\?*\\[\\]]+", "__"));
        Path resultsFile;
        try (Stream<Path> listing = Files.list(folder)) {
            resultsFile = listing.filter(f -> f.getFileName().toString().startsWith("results_")).findFirst()
                    .orElseThrow();
        }
        JsonNode config = new ObjectMapper().readTree(resultsFile.toFile()).get("config");
        String kvCache = "kv_cache_bits=4,kv_group_size=8,kv_residual_length=8";
        assertEquals(kvCache, config.get("kv_cache").asText());
        assertTrue(config.get("model_args").asText().endsWith(",rule=current," + kvCache),
                config.get("model_args").asText());
    }

    @Test
    void missingDataIsAOneLineErrorBeforeTheModelLoads() {
        StringWriter errors = new StringWriter();
        EvalCommand command = new EvalCommand();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setErr(new PrintWriter(errors, true));
        commandLine.setExecutionExceptionHandler((exception, cmd, parsed) -> {
            cmd.getErr().println("error: " + exception.getMessage());
            return 1;
        });
        int status = commandLine.execute("--model", "no-such-model", "--tasks", "piqa", "--data", output.toString(),
                "--output", output.toString());
        assertEquals(1, status);
        assertTrue(errors.toString().contains("piqa: no dataset found; looked for " + output.resolve("piqa.jsonl")),
                errors.toString());
    }

    private static List<String> iterate(java.util.Iterator<String> names) {
        List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
