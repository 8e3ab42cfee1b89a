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
    private PrintStream originalOut;

    @TempDir
    Path dir;

    @BeforeEach
    void captureStdout() {
        originalOut = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStdout() {
        System.setOut(originalOut);
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

    private static String json(String text) {
        return new ObjectMapper().valueToTree(text).toString();
    }
}
