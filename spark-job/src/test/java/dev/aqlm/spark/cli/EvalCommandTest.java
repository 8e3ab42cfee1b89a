package dev.aqlm.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.Fixtures;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.spark.sweep.SweepSpec;
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

/** The eval --spark command line into the sweep job's spec; a quantized KV cache in an in-process run's results. */
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
    void evalOnSparkHasEvalsDefaults() {
        EvalCommand command = new EvalCommand();
        new CommandLine(command).parseArgs("--model", "org/a", "--tasks", "piqa", "--data", "d", "--output", "o",
                "--spark");
        SweepSpec spec = command.toSparkSpec();
        assertEquals(List.of("org/a"), spec.models());
        assertNull(spec.maxLength(), "the model's max_position_embeddings, settled on the executors");
        assertEquals(ScoringRules.CURRENT, spec.rules());
        assertEquals(0, spec.partitions(), "the cluster's default parallelism");
        assertEquals(SweepSpec.DEFAULT_REQUESTS_PER_CALL, spec.requestsPerCall());
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
}
