package dev.aqlm.spark.generate;

import dev.aqlm.runtime.generation.GeneratedRow;
import dev.aqlm.runtime.engine.GenerationOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.spark.session.SparkSessions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input and careless options never lose data: the job refuses before touching files that are not its own. */
class GenerateJobFaultsTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.getOrCreate("GenerateJobFaultsTest", "local[2]", Map.of());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static JobSummary run(JobSpecs specs) {
        return new GenerateJob(spark, specs.build(), QUIET).run();
    }

    private static Path prompts(Path file, String... lines) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, List.of(lines));
    }

    @Test
    void overwriteRefusesAFolderThatIsNotItsOutputAndDeletesNothing(@TempDir Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("project"));
        Path input = prompts(folder.resolve("prompts.jsonl"), "{\"prompt\": \"Hello\"}");
        Files.writeString(folder.resolve("notes.txt"), "mine");
        AqlmException inside = assertThrows(AqlmException.class, () -> run(new JobSpecs().input(input).idColumn(null)
                .output(folder).mode(GenerateJobSpec.OutputMode.OVERWRITE)));
        assertContains(inside.getMessage(), "lies inside --output");

        Path elsewhere = prompts(dir.resolve("in/prompts.jsonl"), "{\"prompt\": \"Hello\"}");
        AqlmException foreign = assertThrows(AqlmException.class, () -> run(new JobSpecs().input(elsewhere)
                .idColumn(null).output(folder).mode(GenerateJobSpec.OutputMode.OVERWRITE)));
        assertContains(foreign.getMessage(), "is not the output of aqlm-spark bulk-generate", "notes.txt",
                "prompts.jsonl", "nothing was deleted");
        assertEquals(List.of("notes.txt", "prompts.jsonl"), list(folder), "nothing was deleted");
    }

    @Test
    void overwriteReplacesItsOwnOutputButNotWhenOtherFilesWereAdded(@TempDir Path dir) throws IOException {
        Path input = prompts(dir.resolve("in/p.jsonl"), "{\"prompt\": \"Hello\"}", "{\"prompt\": \"Once upon\"}");
        Path output = dir.resolve("out");
        JobSpecs specs = new JobSpecs().input(input).idColumn(null).output(output).maxNewTokens(2);
        run(specs);
        run(specs.mode(GenerateJobSpec.OutputMode.OVERWRITE));
        assertEquals(2, OutputTotals.read(spark, output.toString(), OutputFormat.PARQUET).rows(),
                "replaced, not appended");

        List<String> before = list(output);
        Files.writeString(output.resolve("analysis.ipynb"), "{}");
        AqlmException added = assertThrows(AqlmException.class, () -> run(specs));
        // specs still asks for OVERWRITE: the folder is its own output, but now holds a file it did not write
        assertContains(added.getMessage(), "holds files bulk-generate did not write (analysis.ipynb)");
        List<String> after = new java.util.ArrayList<>(before);
        after.add("analysis.ipynb");
        after.sort(null);
        assertEquals(after, list(output), "nothing was deleted");
    }

    @Test
    void aMalformedLineIsAnErrorRowAlsoWhenTheInputHasAnIdColumn(@TempDir Path dir) throws IOException {
        Path input = prompts(dir.resolve("ids.jsonl"), "{\"id\": \"a\", \"prompt\": \"Hello\"}",
                "{\"id\": \"b\", \"prompt\": \"cut off", "{\"id\": \"c\", \"prompt\": \"Once upon\"}");
        JobSummary summary = run(new JobSpecs().input(input).idColumn(null).output(dir.resolve("out")).maxNewTokens(2));
        Map<String, Row> rows = rows(dir.resolve("out"));
        assertEquals(java.util.Set.of("a", "ids.jsonl:2", "c"), rows.keySet());
        assertContains((String) rows.get("ids.jsonl:2").getAs(GeneratedRow.ERROR), "could not parse");
        assertNull(rows.get("a").getAs(GeneratedRow.ERROR));
        assertEquals(1, summary.thisRun().errors());

        Path missingId = prompts(dir.resolve("missing.jsonl"), "{\"id\": \"a\", \"prompt\": \"Hi\"}",
                "{\"prompt\": \"no id\"}");
        AqlmException error = assertThrows(AqlmException.class, () -> run(new JobSpecs().input(missingId)
                .idColumn(null).output(dir.resolve("out2"))));
        assertContains(error.getMessage(), "null id in column 'id'", "ids come from it");
        assertFalse(error.getMessage().contains("leave --id-column out"), error.getMessage());
    }

    @Test
    void overrideColumnsTypedAsDoublesByInferenceStillWork(@TempDir Path dir) throws IOException {
        Path input = prompts(dir.resolve("o.jsonl"), "{\"prompt\": \"Hello\", \"max_new_tokens\": 3}",
                "{\"prompt\": \"Once\", \"max_new_tokens\": 2.5, \"top_k\": 4}",
                "{\"prompt\": \"Water\", \"max_new_tokens\": 2.0, \"seed\": 1e3}");
        JobSummary summary = run(new JobSpecs().input(input).idColumn(null).output(dir.resolve("out")));
        Map<String, Row> rows = rows(dir.resolve("out"));
        assertNull(rows.get("o.jsonl:1").getAs(GeneratedRow.ERROR));
        assertEquals(3, (int) rows.get("o.jsonl:1").getAs(GenerationOptions.MAX_NEW_TOKENS.name()));
        assertContains((String) rows.get("o.jsonl:2").getAs(GeneratedRow.ERROR),
                "column 'max_new_tokens' is '2.5', not an integer");
        assertNull(rows.get("o.jsonl:3").getAs(GeneratedRow.ERROR));
        assertEquals(1000L, (long) rows.get("o.jsonl:3").getAs(GenerationOptions.SEED.name()));
        assertEquals(1, summary.thisRun().errors());
        assertFalse(summary.everyRowFailed());
    }

    @Test
    void aDamagedJobMarkerIsNamedWhenResuming(@TempDir Path dir) throws IOException {
        Path input = prompts(dir.resolve("in/p.jsonl"), "{\"prompt\": \"Hello\"}");
        Path output = dir.resolve("out");
        JobSpecs specs = new JobSpecs().input(input).idColumn(null).output(output).maxNewTokens(2);
        run(specs);
        Files.writeString(output.resolve(JobFingerprint.FILE_NAME), "{\"format\": 1, \"sett");
        Files.deleteIfExists(output.resolve("." + JobFingerprint.FILE_NAME + ".crc"));
        AqlmException error = assertThrows(AqlmException.class,
                () -> run(specs.mode(GenerateJobSpec.OutputMode.RESUME)));
        assertContains(error.getMessage(), JobFingerprint.FILE_NAME + " is damaged", "not valid JSON");
    }

    @Test
    void settingsNoRowCouldUseFailBeforeAnythingIsWritten(@TempDir Path dir) throws IOException {
        Path input = prompts(dir.resolve("in/p.jsonl"), "{\"prompt\": \"Hello\"}");
        AqlmException tooLong = assertThrows(AqlmException.class, () -> run(new JobSpecs().input(input)
                .idColumn(null).output(dir.resolve("a")).contextLength(4096)));
        assertContains(tooLong.getMessage(), "--context-length 4096 exceeds the model's max_position_embeddings");
        AqlmException noChat = assertThrows(AqlmException.class, () -> run(new JobSpecs().input(input)
                .idColumn(null).output(dir.resolve("b")).chat(true))); // the fixture's tokenizer has no chat template
        assertContains(noChat.getMessage(), "has no chat_template");
        assertFalse(Files.exists(dir.resolve("a")) || Files.exists(dir.resolve("b")), "nothing was written");

        Path parquet = dir.resolve("prompts.parquet");
        spark.read().json(input.toString()).write().parquet(parquet.toString());
        AqlmException asJsonl = assertThrows(AqlmException.class, () -> new PromptTable(spark, parquet.toString(),
                InputFormat.JSONL, "prompt", null, true));
        assertContains(asJsonl.getMessage(), "is a Parquet file, but the input is read as jsonl",
                "--input-format parquet");
        AqlmException asParquet = assertThrows(AqlmException.class, () -> new PromptTable(spark, input.toString(),
                InputFormat.PARQUET, "prompt", null, true));
        assertContains(asParquet.getMessage(), "p.jsonl is not a Parquet file");
    }

    private static Map<String, Row> rows(Path output) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Row row : OutputTotals.rows(spark, output.toString(), OutputFormat.PARQUET).collectAsList()) {
            rows.put(row.getAs(GeneratedRow.ID), row);
        }
        return rows;
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void assertContains(String text, String... parts) {
        for (String part : parts) {
            assertTrue(text != null && text.contains(part), "expected '" + part + "' in: " + text);
        }
    }
}
