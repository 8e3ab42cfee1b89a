package dev.aqlm.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generate command as a user runs it: only the completion on stdout, results as JSON lines for a file. */
class GenerateCommandTest {
    private static final String MODEL = "llama-mistraltok-aqlm-2x8";
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @TempDir
    Path dir;

    @BeforeEach
    void captureStdout() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        originalErr.print(stderr.toString(StandardCharsets.UTF_8)); // kept in the test report
    }

    private String errors() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private int runFile(Path prompts, Path output, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("generate", "--model", Fixtures.model(MODEL).toString(),
                "--prompts", prompts.toString(), "--max-new-tokens", "4", "--backend", "cpu", "--context-length", "64"));
        if (output != null) {
            args.addAll(List.of("--output", output.toString()));
        }
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    private Path onePrompt() throws Exception {
        Path prompts = dir.resolve("one.jsonl");
        Files.writeString(prompts, "{\"id\": \"a\", \"prompt\": \"Hello\"}\n");
        return prompts;
    }

    private int run(String... args) {
        return RuntimeCli.execute(new RuntimeCli(), args);
    }

    @Test
    void singlePromptPrintsOnlyTheGreedyCompletion() {
        Fixtures.GoldenPrompt golden = Fixtures.goldenPrompts(MODEL).get(0);
        int exit = run("generate", "--model", Fixtures.model(MODEL).toString(), "--prompt", golden.text(),
                "--max-new-tokens", "12", "--backend", "cpu", "--context-length", "64");
        assertEquals(0, exit);
        assertEquals(golden.greedyText() + "\n", stdout.toString(StandardCharsets.UTF_8));
    }

    @Test
    void speculationPrintsWhatPlainDecodingPrintsAndReportsAcceptedTokensPerPass() {
        String model = Fixtures.model(MODEL).toString();
        String prompt = "The cat sat on the mat. The cat sat on the";
        List<String> common = List.of("generate", "--model", model, "--prompt", prompt, "--max-new-tokens", "32",
                "--backend", "cpu", "--context-length", "64");
        assertEquals(0, run(common.toArray(String[]::new)));
        String plain = stdout.toString(StandardCharsets.UTF_8);
        assertThat(plain.strip()).isNotEmpty();
        for (List<String> speculation : List.of(List.of("--prompt-lookup-tokens", "4"),
                List.of("--assistant-model", model, "--assistant-tokens", "4"))) {
            stdout.reset();
            stderr.reset();
            List<String> args = new java.util.ArrayList<>(common);
            args.addAll(speculation);
            assertEquals(0, run(args.toArray(String[]::new)), errors());
            assertEquals(plain, stdout.toString(StandardCharsets.UTF_8), String.join(" ", speculation));
            assertThat(errors()).containsPattern("speculation: \\d+ drafted, \\d+ accepted \\(\\d+%\\), [0-9.]+ accepted per"
                    + " pass, \\d+ forward passes");
        }
        // The model drafting for itself: 31 tokens after the prompt's pass, 4 drafts + 1 per verification pass.
        assertThat(errors()).contains("(100%)").contains(" 8 forward passes");
    }

    @Test
    void contradictoryOrMismatchedSpeculationIsRefusedByName() {
        String model = Fixtures.model(MODEL).toString();
        assertEquals(1, run("generate", "--model", model, "--prompt", "Hi", "--prompt-lookup-ngram", "3"));
        assertThat(errors()).contains("--prompt-lookup-ngram needs --prompt-lookup-tokens");
        stderr.reset();
        assertEquals(1, run("generate", "--model", model, "--prompt", "Hi", "--prompt-lookup-tokens", "4",
                "--assistant-model", model));
        assertThat(errors()).contains("choose one");
        stderr.reset();
        String other = Fixtures.model("llama-tiny-aqlm-2x8").toString();
        assertEquals(1, run("generate", "--model", model, "--prompt", "Hi", "--backend", "cpu", "--max-new-tokens",
                "8", "--context-length", "64", "--assistant-model", other));
        assertThat(errors()).contains("does not share the tokenizer").contains("vocabulary has 512 tokens");
    }

    @Test
    void promptFileGivesOneRowPerLineWithErrorsForBadLines() throws Exception {
        List<Fixtures.GoldenPrompt> golden = Fixtures.goldenPrompts(MODEL);
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, String.join("\n",
                "{\"id\": \"a\", \"prompt\": " + json(golden.get(0).text()) + "}",
                "{\"prompt\": " + json(golden.get(1).text()) + "}",
                "this line is not json",
                "{\"id\": \"long\", \"prompt\": " + json("word ".repeat(80)) + "}"));
        Path output = dir.resolve("out.jsonl");
        int exit = run("generate", "--model", Fixtures.model(MODEL).toString(), "--prompts", prompts.toString(),
                "--output", output.toString(), "--max-new-tokens", "12", "--backend", "cpu", "--context-length", "64");
        assertEquals(0, exit);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = Files.readAllLines(output).stream().map(line -> {
            try {
                return json.readTree(line);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(rows).hasSize(4);
        JsonNode a = rows.stream().filter(r -> r.get("id").asText().equals("a")).findFirst().orElseThrow();
        assertEquals(golden.get(0).greedyText(), a.get("completion").asText());
        assertEquals(12, a.get("completion_tokens").asInt());
        assertEquals("length", a.get("finish_reason").asText());
        JsonNode second = rows.stream().filter(r -> r.get("id").asText().equals("line-2")).findFirst().orElseThrow();
        assertEquals(golden.get(1).greedyText(), second.get("completion").asText());
        JsonNode bad = rows.stream().filter(r -> r.get("id").asText().equals("line-3")).findFirst().orElseThrow();
        assertThat(bad.get("error").asText()).contains("prompts.jsonl line 3");
        JsonNode tooLong = rows.stream().filter(r -> r.get("id").asText().equals("long")).findFirst().orElseThrow();
        assertThat(tooLong.get("error").asText()).contains("does not fit the context window of 64");
    }

    @Test
    void truncatePromptsRunsAnOverLongPromptAndReportsTheDroppedTokens() throws Exception {
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, "{\"id\": \"long\", \"prompt\": " + json("word ".repeat(80)) + "}\n");
        Path output = dir.resolve("out.jsonl");
        int exit = run("generate", "--model", Fixtures.model(MODEL).toString(), "--prompts", prompts.toString(),
                "--output", output.toString(), "--max-new-tokens", "12", "--backend", "cpu", "--context-length", "64",
                "--ignore-eos", "--truncate-prompts");
        assertEquals(0, exit);
        JsonNode row = new ObjectMapper().readTree(Files.readAllLines(output).get(0));
        assertThat(row.get("error").isNull()).as(row.toString()).isTrue();
        assertEquals(52, row.get("prompt_tokens").asInt(), "64 - 12 new tokens");
        assertThat(row.get("truncated_prompt_tokens").asInt()).isPositive();
        assertEquals(12, row.get("completion_tokens").asInt());
    }

    @Test
    void aFullDiskFailsTheCommandNamingTheFile() throws Exception {
        int exit = runFile(onePrompt(), Path.of("/dev/full"));
        assertEquals(1, exit, errors());
        assertThat(errors()).contains("cannot write /dev/full").contains("No space left on device")
                .doesNotContain("\tat ");
    }

    @Test
    void aFullFilesystemLeavesNoCutOffFileBehind() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("small-disk"));
        boolean mounted = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", mount.toString())
                .redirectErrorStream(true).start().waitFor() == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(mounted,
                "a small tmpfs cannot be mounted here (needs root); /dev/full covers the full-disk error instead");
        try {
            Path prompts = dir.resolve("many.jsonl");
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                lines.append("{\"id\": \"row-").append(i).append("\", \"prompt\": \"Hello\"}\n");
            }
            Files.writeString(prompts, lines);
            Path output = mount.resolve("out.jsonl");
            assertEquals(1, runFile(prompts, output), errors());
            assertThat(errors()).contains("cannot write " + output).contains("No space left on device");
            try (var left = Files.list(mount)) {
                assertThat(left.toList()).as("neither the output nor its temporary file is left").isEmpty();
            }
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    @Test
    void anExistingFileIsNeverReplacedUnlessItIsGeneratesOwnAndOverwriteIsGiven() throws Exception {
        Path notOurs = dir.resolve("notes.jsonl");
        Files.writeString(notOurs, "my notes\n");
        assertEquals(1, runFile(onePrompt(), notOurs));
        assertThat(errors()).contains(notOurs + " already exists").contains("--overwrite");
        assertEquals(1, runFile(onePrompt(), notOurs, "--overwrite"));
        assertThat(errors()).contains("is not a generate results file");
        assertEquals("my notes\n", Files.readString(notOurs), "untouched");
        assertThat(errors()).doesNotContain("loaded ").as("refused before loading the model");

        Path ours = dir.resolve("out.jsonl");
        assertEquals(0, runFile(onePrompt(), ours));
        Files.writeString(ours, Files.readString(ours).replace("\"a\"", "\"stale\""));
        assertEquals(0, runFile(onePrompt(), ours, "--overwrite"));
        assertThat(Files.readString(ours)).contains("\"a\"").doesNotContain("stale");
    }

    @Test
    void errorRowsNeverShareAnIdAndKeepAValidOne() throws Exception {
        Path prompts = dir.resolve("ids.jsonl");
        Files.writeString(prompts, "\uFEFF{\"id\": \"x\", \"prompt\": \"Hello\"}\n"
                + "{\"id\": \"x\", \"prompt\": \"again\"}\n"
                + "{\"id\": \"y\", \"prompt\": 42}\n", StandardCharsets.UTF_8);
        Path output = dir.resolve("out.jsonl");
        assertEquals(0, runFile(prompts, output));
        ObjectMapper json = new ObjectMapper();
        java.util.Map<String, JsonNode> byId = new java.util.HashMap<>();
        for (String line : Files.readAllLines(output)) {
            JsonNode row = json.readTree(line);
            assertThat(byId.put(row.get("id").asText(), row)).as("ids are unique").isNull();
        }
        assertThat(byId.get("x").get("error").isNull()).as("the BOM does not break row 1").isTrue();
        assertThat(byId.get("line-2").get("error").asText()).contains("duplicate id 'x'");
        assertThat(byId.get("y").get("error").asText()).contains("line 3").contains("no \"prompt\" string");
    }

    @Test
    void aRunWhereEveryRowFailedExitsNonZero() throws Exception {
        Path prompts = dir.resolve("bad.jsonl");
        Files.writeString(prompts, "not json\n{\"prompt\": 5}\n");
        assertEquals(1, runFile(prompts, dir.resolve("out.jsonl")));
        assertThat(errors()).contains("every one of the 2 rows failed");
    }

    @Test
    void badPromptsPathsAndNumbersGetOneLineBeforeTheModelLoads() throws Exception {
        assertEquals(1, runFile(dir.resolve("missing.jsonl"), null));
        assertThat(errors()).contains("--prompts " + dir.resolve("missing.jsonl") + ": no such file");
        assertEquals(1, runFile(dir, null));
        assertThat(errors()).contains("is a folder");
        assertEquals(1, runFile(onePrompt(), dir.resolve("out.jsonl"), "--threads", "-1"));
        assertThat(errors()).contains("--threads must be 0 or more, got -1");
        assertEquals(1, runFile(onePrompt(), dir.resolve("out.jsonl"), "--threads", "100000"));
        assertThat(errors()).contains("(--threads) must be 0 (all cores) to 32767, got 100000");
        Files.writeString(dir.resolve("notes.txt"), "x");
        assertEquals(1, runFile(onePrompt(), dir.resolve("notes.txt/out.jsonl")));
        assertThat(errors()).contains("is a file, not a folder");
        assertEquals(1, run("generate", "--model", Fixtures.model(MODEL).toString(), "--prompt", " "));
        assertThat(errors()).contains("--prompt is empty");
        assertEquals(1, runFile(onePrompt(), null, "--stop", ""));
        assertThat(errors()).contains("--stop must not be empty");
        assertThat(errors()).doesNotContain("\tat ").doesNotContain("loaded ");
    }

    @Test
    void lengthsPastTheModelAreRefusedBeforeLoadingWithOneWording() throws Exception {
        assertEquals(1, run("generate", "--model", Fixtures.model(MODEL).toString(), "--prompt", "Hi",
                "--backend", "cpu", "--context-length", "4096"));
        assertThat(errors()).contains("--context-length 4096 exceeds the model's max_position_embeddings 512")
                .doesNotContain("loaded ");
        assertEquals(1, run("generate", "--model", Fixtures.model(MODEL).toString(), "--prompt", "Hi",
                "--backend", "cpu", "--context-length", "64", "--max-new-tokens", "64"));
        assertThat(errors()).contains("--max-new-tokens 64 leaves no room for a prompt in a context of 64");
    }

    @Test
    void promptsFromStdinWork() throws Exception {
        java.io.InputStream originalIn = System.in;
        System.setIn(new java.io.ByteArrayInputStream("{\"id\": \"in\", \"prompt\": \"Hello\"}\n"
                .getBytes(StandardCharsets.UTF_8)));
        try {
            assertEquals(0, runFile(Path.of("-"), null));
        } finally {
            System.setIn(originalIn);
        }
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("\"id\":\"in\"");
    }

    @Test
    void stackTracesOnlyWithVerbose() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "x");
        assertEquals(1, runFile(onePrompt(), notes.resolve("out.jsonl"), "--verbose"));
        assertThat(errors()).contains("is a file, not a folder").contains("\tat ");
    }

    private static String json(String text) {
        return new ObjectMapper().valueToTree(text).toString();
    }
}
