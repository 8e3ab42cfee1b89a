package dev.aqlm.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench command on real checkpoints: each row names its model and weight format, compared with the first. */
class BenchCommandTest {
    @TempDir
    Path dir;

    /** Runs {@code bench} with these arguments, its table printed into {@code table}; returns the exit code. */
    private static int bench(ByteArrayOutputStream table, String... args) {
        PrintStream originalOut = System.out;
        System.setOut(new PrintStream(table, true, StandardCharsets.UTF_8));
        try {
            return RuntimeCli.execute(new RuntimeCli(), args);
        } finally {
            System.setOut(originalOut);
        }
    }

    @Test
    void checkpointsAreMeasuredAgainstTheFirstAndNamedByTheirWeightFormat() throws Exception {
        Path json = dir.resolve("bench.json");
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        assertEquals(0, bench(table, "bench", "--backend", "cpu", "--batch", "1,2",
                "--prompt-length", "8", "--prefill-repeats", "1", "--warmup-steps", "1", "--decode-steps", "2",
                "--model", Fixtures.model("llama-tiny-fp16").toString(),
                "--model", Fixtures.model("llama-tiny-aqlm-2x8").toString(), "--json", json.toString()));

        JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");
        List<String> rows = new ArrayList<>();
        for (JsonNode row : results) {
            assertThat(row.get("tokensPerSecond").asDouble()).isPositive();
            rows.add(row.get("model").asText() + " | " + row.get("format").asText() + " | " + row.get("phase").asText()
                    + " b" + row.get("batch").asInt() + " | " + row.get("baseline").asText());
        }
        assertThat(rows).containsExactly(
                "llama-tiny-fp16 | dense f16 | prefill b1 | ",
                "llama-tiny-fp16 | dense f16 | decode b1 | ",
                "llama-tiny-fp16 | dense f16 | decode b2 | ",
                "llama-tiny-aqlm-2x8 | AQLM 2x8 | prefill b1 | dense f16 prefill b1",
                "llama-tiny-aqlm-2x8 | AQLM 2x8 | decode b1 | dense f16 decode b1",
                "llama-tiny-aqlm-2x8 | AQLM 2x8 | decode b2 | dense f16 decode b2");
        JsonNode compared = results.get(4);
        assertEquals(compared.get("tokensPerSecond").asDouble() / results.get(1).get("tokensPerSecond").asDouble(),
                compared.get("speedup").asDouble(), 1e-9);
        assertThat(table.toString(StandardCharsets.UTF_8)).contains("| llama-tiny-aqlm-2x8    | AQLM 2x8      |");
    }

    @Test
    void tensorParallelSizesAreMeasuredAgainstOneShardWithTheirPerDeviceWeights() throws Exception {
        Path json = dir.resolve("bench-tp.json");
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        assertEquals(0, bench(table, "bench", "--backend", "cpu", "--batch", "1",
                "--prompt-length", "8", "--prefill-repeats", "1", "--warmup-steps", "1", "--decode-steps", "2",
                "--tensor-parallel", "1,2,4", "--model", Fixtures.model("llama-tiny-aqlm-2x8").toString(),
                "--json", json.toString()));
        JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");
        List<String> rows = new ArrayList<>();
        for (JsonNode row : results) {
            rows.add("tp" + row.get("tensorParallel").asInt() + " " + row.get("phase").asText() + " | "
                    + row.get("baseline").asText());
        }
        assertThat(rows).containsExactly("tp1 prefill | ", "tp1 decode | ", "tp2 prefill | tp1 prefill b1",
                "tp2 decode | tp1 decode b1", "tp4 prefill | tp1 prefill b1", "tp4 decode | tp1 decode b1");
        // Sharded linears and lm_head shrink each device's share; embeddings and norms stay whole on every device.
        long one = results.get(0).get("shardWeightBytes").asLong();
        long two = results.get(2).get("shardWeightBytes").asLong();
        long four = results.get(4).get("shardWeightBytes").asLong();
        assertThat(two).isLessThan(one);
        assertThat(four).isLessThan(two);
        assertEquals(one, results.get(0).get("weightBytes").asLong() + 512 * 128 * 2, "TP-1: all weights + embeddings");
    }

    @Test
    void kvCacheSweepMeasuresEachBitWidthAndTheBudgetTableSaysWhatFits() throws Exception {
        Path json = dir.resolve("bench-kv.json");
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        assertEquals(0, bench(table, "bench", "--backend", "cpu", "--batch", "1",
                "--prompt-length", "8", "--prefill-repeats", "1", "--warmup-steps", "1", "--decode-steps", "2",
                "--threads", "2", "--decode-prompt-length", "40", "--kv-cache-sweep", "16,4", "--kv-group-size", "8",
                "--kv-residual-length", "8", "--memory-budget", "4m", "--capacity-context", "512",
                "--model", Fixtures.model("llama-tiny-fp16").toString(), "--json", json.toString()));
        JsonNode document = new ObjectMapper().readTree(json.toFile());
        List<String> rows = new ArrayList<>();
        for (JsonNode row : document.get("results")) {
            rows.add(row.get("model").asText() + " | " + row.get("device").asText() + " | " + row.get("phase").asText()
                    + " | " + row.get("baseline").asText());
        }
        assertThat(rows).containsExactly(
                "llama-tiny-fp16 kv16 | cpu (2 threads) | prefill | ",
                "llama-tiny-fp16 kv16 | cpu (2 threads) | decode | ",
                "llama-tiny-fp16 kv4 | cpu (2 threads, 4-bit KV) | prefill | llama-tiny-fp16 kv16 prefill b1",
                "llama-tiny-fp16 kv4 | cpu (2 threads, 4-bit KV) | decode | llama-tiny-fp16 kv16 decode b1");
        // llama-tiny: 2 layers x 64 KV channels, fp16. 16-bit: 2 x 2 x 64 x 2 = 512 bytes per token.
        // 4-bit, group 8 (value groups 8 wide): keys 64 x (0.5 + 4/8) = 64, values 32 + 8 x 4 = 64: 256 per token.
        JsonNode capacity = document.get("kvCacheCapacity");
        assertEquals(512.0, capacity.get(0).get("bytesPerToken").asDouble());
        assertEquals(256.0, capacity.get(1).get("bytesPerToken").asDouble());
        long weights = capacity.get(0).get("weightBytes").asLong();
        assertEquals(((4L << 20) - weights) / (512L * 512), capacity.get(0).get("slots").asLong());
        assertThat(capacity.get(0).get("slots").asLong()).isPositive();
        assertThat(table.toString(StandardCharsets.UTF_8)).contains("| 4-bit (group 8, residual 8)");
    }

    @Test
    void anExistingJsonThatIsNotABenchResultIsRefusedBeforeMeasuring() throws Exception {
        Path notes = java.nio.file.Files.writeString(dir.resolve("notes.json"), "{\"mine\": true}");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        int plain;
        int overwrite;
        try {
            String[] args = {"bench", "--backend", "cpu", "--model", Fixtures.model("llama-tiny-fp16").toString(),
                "--json", notes.toString()};
            plain = RuntimeCli.execute(new RuntimeCli(), args);
            String[] withFlag = java.util.Arrays.copyOf(args, args.length + 1);
            withFlag[args.length] = "--overwrite";
            overwrite = RuntimeCli.execute(new RuntimeCli(), withFlag);
        } finally {
            System.setErr(originalErr);
        }
        assertEquals(1, plain);
        assertEquals(1, overwrite);
        assertThat(errors.toString(StandardCharsets.UTF_8)).contains(notes + " already exists")
                .contains("is not a bench results file").doesNotContain("loaded ");
        assertEquals("{\"mine\": true}", java.nio.file.Files.readString(notes));
    }

    @Test
    void speculationModeMeasuresTokensPerPassAgainstPlainDecoding() throws Exception {
        Path json = dir.resolve("speculation.json");
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        assertEquals(0, bench(table, "bench", "--backend", "cpu", "--batch", "1,2",
                "--prompt-length", "8", "--decode-steps", "11", "--speculation-tokens", "4",
                "--model", Fixtures.model("llama-tiny-aqlm-2x8").toString(), "--json", json.toString()));
        JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");
        List<String> modes = new ArrayList<>();
        for (JsonNode row : results) {
            modes.add(row.get("mode").asText() + " b" + row.get("batch").asInt());
            assertThat(row.get("tokensPerSecond").asDouble()).isPositive();
        }
        assertThat(modes).containsExactly("plain b1", "self-draft 4 b1", "prompt-lookup 4 b1", "plain b2",
                "self-draft 4 b2", "prompt-lookup 4 b2");
        assertEquals(1.0, results.get(0).get("tokensPerPass").asDouble(), 0.0, "plain: one token per pass");
        // 11 tokens: 1 from the prompt's pass, then two verification passes of 4 accepted drafts + 1 token each.
        JsonNode selfDraft = results.get(1);
        assertEquals(1.0, selfDraft.get("acceptance").asDouble(), 0.0, "the model drafting for itself is always right");
        assertEquals(11.0 / 3, selfDraft.get("tokensPerPass").asDouble(), 1e-9);
        assertThat(table.toString(StandardCharsets.UTF_8)).contains("| self-draft 4     |");
    }
}
