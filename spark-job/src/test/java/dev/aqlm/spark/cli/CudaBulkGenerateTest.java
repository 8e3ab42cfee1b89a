package dev.aqlm.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.cuda.GpuTests;
import dev.aqlm.spark.generate.JobSpecs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A greedy bulk-generate of the demo prompts on local Spark writes the same completions with the CUDA backend as with
 * the CPU backend (on a GPU, or on the CUDA emulator in every build).
 */
@Tag("gpu")
class CudaBulkGenerateTest {
    @TempDir
    Path dir;

    @Test
    void greedyCompletionsOnCudaEqualTheCpus() throws IOException {
        GpuTests.requireDevice();
        Path prompts = demoPrompts(dir);
        Map<String, String> cpu = completions(prompts, "cpu");
        Map<String, String> cuda = completions(prompts, "cuda");
        assertThat(cpu).hasSize(24);
        assertThat(cuda).isEqualTo(cpu);
    }

    /** The demo's 24 prompts, as a JSONL file in {@code dir}. */
    static Path demoPrompts(Path dir) throws IOException {
        Path prompts = dir.resolve("prompts.jsonl");
        try (InputStream in = CudaBulkGenerateTest.class.getResourceAsStream("/dev/aqlm/spark/demo/prompts.jsonl")) {
            Files.copy(in, prompts);
        }
        return prompts;
    }

    private Map<String, String> completions(Path prompts, String backend) throws IOException {
        Path output = dir.resolve("out-" + backend);
        int exit = RuntimeCli.execute(new AqlmSparkCli(), new String[] {"bulk-generate",
            "--model", JobSpecs.modelDirectory().toString(), "--input", prompts.toString(), "--output", output.toString(),
            "--output-format", "jsonl", "--max-new-tokens", "12", "--backend", backend, "--slots", "8",
            "--context-length", "128", "--progress-interval", "0"});
        assertThat(exit).isZero();
        Map<String, String> byId = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(output)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    JsonNode row = json.readTree(line);
                    assertThat(row.path("error").isNull() || row.path("error").isMissingNode()).as(line).isTrue();
                    byId.put(row.get("id").asText(), row.get("completion").asText());
                }
            }
        }
        return byId;
    }
}
