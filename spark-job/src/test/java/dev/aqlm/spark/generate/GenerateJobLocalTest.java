package dev.aqlm.spark.generate;

import dev.aqlm.runtime.generation.GeneratedRow;
import dev.aqlm.runtime.engine.GenerationOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.SamplingRandom;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.spark.session.SparkSessions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job on local Spark, checked against the engine run directly (LanguageModel) with the same per-row seeds. */
class GenerateJobLocalTest {
    private static final List<String> PROMPTS = List.of(
            "The capital of France is", "Once upon a time", "def fibonacci(n):", "Spark executors load",
            "A quick brown fox", "In 1492, Columbus", "The best way to learn", "Quantization reduces",
            "Hello", "My favourite colour is", "Two plus two equals", "The weather today",
            "Continuous batching keeps the GPU", "Water boils at");

    private static SparkSession spark;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.getOrCreate("GenerateJobLocalTest", "local[2,4]", Map.of());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void completionsEqualTheEngineAcrossPartitionsWithGeneratedIds(@TempDir Path dir) throws IOException {
        Path input = Files.createDirectories(dir.resolve("prompts"));
        Map<String, String> promptsById = new LinkedHashMap<>();
        writeJsonl(input.resolve("a.jsonl"), PROMPTS.subList(0, 7), "a.jsonl", promptsById);
        writeJsonl(input.resolve("b.jsonl"), PROMPTS.subList(7, 14), "b.jsonl", promptsById);
        JobSpecs specs = new JobSpecs().input(input).idColumn(null).output(dir.resolve("out")).partitions(3);

        JobSummary summary = new GenerateJob(spark, specs.build(), QUIET).run();

        Map<String, Row> rows = outputById(dir.resolve("out"), OutputFormat.PARQUET);
        assertEquals(promptsById.keySet(), rows.keySet(), "one row per input row, ids <file>:<row>");
        assertEquals(PROMPTS.size(), summary.thisRun().rows());
        Map<String, GenerationResult> expected = ExpectedCompletions.of(promptsById, specs);
        for (Map.Entry<String, GenerationResult> entry : expected.entrySet()) {
            Row row = rows.get(entry.getKey());
            GenerationResult engine = entry.getValue();
            assertNull(row.getAs(GeneratedRow.ERROR), entry.getKey());
            assertEquals(engine.completion(), row.getAs(GeneratedRow.COMPLETION), entry.getKey());
            assertEquals(engine.completionTokens().length, (int) row.getAs(GeneratedRow.COMPLETION_TOKENS));
            assertEquals(engine.promptTokens().length, (int) row.getAs(GeneratedRow.PROMPT_TOKENS));
            assertEquals(engine.finishReason().label(), row.getAs(GeneratedRow.FINISH_REASON));
            assertEquals(SamplingRandom.seedFor(7, entry.getKey()), (long) row.getAs(GenerationOptions.SEED.name()));
            assertEquals(promptsById.get(entry.getKey()), row.getAs(GeneratedRow.PROMPT));
        }
        long files = spark.read().parquet(dir.resolve("out").toString()).select("_metadata.file_name").distinct().count();
        assertTrue(files >= 2, "rows came from several generation tasks, got " + files + " file(s)");
        // The comparison means something only if seeds decide the text: another job seed changes some completions.
        Map<String, GenerationResult> otherSeed = ExpectedCompletions.of(promptsById, new JobSpecs().seed(8));
        assertNotEquals(texts(expected), texts(otherSeed));
    }

    @Test
    void tensorParallelTasksWriteTheRowsOfTheUnshardedEngine(@TempDir Path dir) throws IOException {
        Path input = Files.createDirectories(dir.resolve("prompts"));
        Map<String, String> promptsById = new LinkedHashMap<>();
        writeJsonl(input.resolve("a.jsonl"), PROMPTS.subList(0, 6), "a.jsonl", promptsById);
        JobSpecs sharded = new JobSpecs().input(input).idColumn(null).output(dir.resolve("out")).partitions(2)
                .tensorParallel(2);

        new GenerateJob(spark, sharded.build(), QUIET).run();

        Map<String, Row> rows = outputById(dir.resolve("out"), OutputFormat.PARQUET);
        // The rows are sampled (temperature 0.9, per-row seeds): equal texts need equal logits to the last ulps that
        // decide a draw, which TP-2's fixed-order all-reduce keeps (CpuTensorParallelTest bounds them at 1e-5).
        Map<String, GenerationResult> unsharded = ExpectedCompletions.of(promptsById, new JobSpecs());
        assertEquals(unsharded.keySet(), rows.keySet());
        for (Map.Entry<String, GenerationResult> entry : unsharded.entrySet()) {
            assertNull(rows.get(entry.getKey()).getAs(GeneratedRow.ERROR), entry.getKey());
            assertEquals(entry.getValue().completion(), rows.get(entry.getKey()).getAs(GeneratedRow.COMPLETION),
                    entry.getKey());
        }
    }

    @Test
    void badRowsBecomeErrorRowsAndTheJobSucceeds(@TempDir Path dir) throws IOException {
        Path input = dir.resolve("bad.jsonl");
        Files.writeString(input, String.join("\n",
                "{\"prompt\": \"The capital of France is\"}",
                "{\"prompt\": \"an unterminated line",
                "{\"prompt\": null}",
                "{\"prompt\": \"" + "word ".repeat(200) + "\"}",
                "{\"prompt\": \"Hello\", \"top_k\": \"many\"}",
                "{\"prompt\": \"Hello\", \"temperature\": -1}",
                "{\"prompt\": \"\"}",
                "{\"prompt\": \"Once upon a time\", \"temperature\": 0}",
                "{\"prompt\": \"   \"}") + "\n");
        JobSpecs specs = new JobSpecs().input(input).idColumn(null).output(dir.resolve("out"))
                .outputFormat(OutputFormat.JSONL).contextLength(48);

        JobSummary summary = new GenerateJob(spark, specs.build(), QUIET).run();

        Map<String, Row> rows = outputById(dir.resolve("out"), OutputFormat.JSONL);
        assertEquals(9, rows.size());
        assertEquals(7, summary.thisRun().errors());
        assertEquals(Map.entry("the prompt is empty", 2L), summary.all().commonErrors().entrySet().iterator().next(),
                "the summary lists the most frequent error first");
        assertNull(rows.get("bad.jsonl:1").getAs(GeneratedRow.ERROR));
        assertErrorContains(rows, "bad.jsonl:2", "could not parse");
        assertErrorContains(rows, "bad.jsonl:3", "prompt column is null");
        assertErrorContains(rows, "bad.jsonl:4", "does not fit the context window of 48");
        assertErrorContains(rows, "bad.jsonl:5", "column 'top_k' is 'many', not an integer");
        assertErrorContains(rows, "bad.jsonl:6", "temperature must be a finite number >= 0");
        assertErrorContains(rows, "bad.jsonl:7", "prompt is empty");
        assertErrorContains(rows, "bad.jsonl:9", "prompt is empty");
        Row greedy = rows.get("bad.jsonl:8");
        assertNull(greedy.getAs(GeneratedRow.ERROR));
        assertEquals(0.0, (double) greedy.getAs(GenerationOptions.TEMPERATURE.name()), "the row's override was used");
        String engineGreedy = ExpectedCompletions.of(Map.of("bad.jsonl:8", "Once upon a time"),
                new JobSpecs().temperature(0).contextLength(48)).get("bad.jsonl:8").completion();
        assertEquals(engineGreedy, greedy.getAs(GeneratedRow.COMPLETION));
        assertTrue((int) rows.get("bad.jsonl:4").getAs(GeneratedRow.PROMPT_TOKENS) > 48, "the error row keeps the count");
        assertNull(rows.get("bad.jsonl:4").getAs(GeneratedRow.TRUNCATED_PROMPT_TOKENS), "null on error rows");
        assertEquals(0, (int) greedy.getAs(GeneratedRow.TRUNCATED_PROMPT_TOKENS));
        assertEquals(0, summary.thisRun().truncatedRows());
    }

    @Test
    void overLongPromptIsTruncatedWhenAskedAndResumeRefusesAnotherSetting(@TempDir Path dir) throws IOException {
        Path input = dir.resolve("long.jsonl");
        Map<String, String> prompts = new LinkedHashMap<>();
        writeJsonlWithIds(input, List.of("Once upon a time", "the quick brown fox jumps over the lazy dog, ".repeat(10)),
                prompts);
        Path out = dir.resolve("out");
        JobSpecs specs = new JobSpecs().input(input).output(out).outputFormat(OutputFormat.JSONL).contextLength(48)
                .maxNewTokens(10).truncatePrompts(true);

        JobSummary summary = new GenerateJob(spark, specs.build(), QUIET).run();

        Map<String, Row> rows = outputById(out, OutputFormat.JSONL);
        Map<String, GenerationResult> expected = ExpectedCompletions.of(prompts, specs);
        Row overLong = rows.get("row-1");
        assertNull(overLong.getAs(GeneratedRow.ERROR));
        assertTrue((int) overLong.getAs(GeneratedRow.TRUNCATED_PROMPT_TOKENS) > 0);
        assertEquals(expected.get("row-1").truncatedPromptTokens(), (int) overLong.getAs(GeneratedRow.TRUNCATED_PROMPT_TOKENS));
        assertEquals(48 - 10, (int) overLong.getAs(GeneratedRow.PROMPT_TOKENS), "what the model saw: room for 10 new tokens");
        assertEquals(expected.get("row-1").completion(), overLong.getAs(GeneratedRow.COMPLETION));
        assertEquals(0, (int) rows.get("row-0").getAs(GeneratedRow.TRUNCATED_PROMPT_TOKENS));
        assertEquals(1, summary.thisRun().truncatedRows());

        AqlmException changed = assertThrows(AqlmException.class, () -> new GenerateJob(spark,
                specs.truncatePrompts(false).mode(GenerateJobSpec.OutputMode.RESUME).build(), QUIET).run());
        assertTrue(changed.getMessage().contains("truncate_prompts: 'true' -> 'false'"), changed.getMessage());
    }

    @Test
    void resumeSkipsFinishedIdsAndRefusesChangedSettings(@TempDir Path dir) throws IOException {
        Path first = dir.resolve("first.jsonl");
        Path all = dir.resolve("all.jsonl");
        Map<String, String> firstPrompts = new LinkedHashMap<>();
        Map<String, String> allPrompts = new LinkedHashMap<>();
        writeJsonlWithIds(first, PROMPTS.subList(0, 6), firstPrompts);
        writeJsonlWithIds(all, PROMPTS.subList(0, 10), allPrompts);
        Path out = dir.resolve("out");
        new GenerateJob(spark, new JobSpecs().input(first).output(out).outputFormat(OutputFormat.JSONL).build(), QUIET).run();
        Map<String, Row> before = outputById(out, OutputFormat.JSONL);

        AqlmException exists = assertThrows(AqlmException.class, () -> new GenerateJob(spark,
                new JobSpecs().input(all).output(out).outputFormat(OutputFormat.JSONL).build(), QUIET).run());
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        AqlmException changed = assertThrows(AqlmException.class, () -> new GenerateJob(spark,
                new JobSpecs().input(all).output(out).outputFormat(OutputFormat.JSONL).temperature(0.5)
                        .mode(GenerateJobSpec.OutputMode.RESUME).build(), QUIET).run());
        assertTrue(changed.getMessage().contains("temperature: '0.9' -> '0.5'"), changed.getMessage());

        JobSummary resumed = new GenerateJob(spark, new JobSpecs().input(all).output(out).outputFormat(OutputFormat.JSONL)
                .mode(GenerateJobSpec.OutputMode.RESUME).commitEvery(2).build(), QUIET).run();

        assertEquals(6, resumed.skippedRows());
        assertEquals(4, resumed.thisRun().rows());
        assertEquals(2, resumed.waves());
        Map<String, Row> after = outputById(out, OutputFormat.JSONL);
        assertEquals(allPrompts.keySet(), after.keySet());
        assertEquals(10, OutputTotals.rows(spark, out.toString(), OutputFormat.JSONL).count(), "no duplicates");
        for (String id : before.keySet()) {
            assertEquals(before.get(id).<String>getAs(GeneratedRow.COMPLETION), after.get(id).getAs(GeneratedRow.COMPLETION));
        }
        Map<String, GenerationResult> expected = ExpectedCompletions.of(allPrompts, new JobSpecs());
        for (String id : allPrompts.keySet()) {
            assertEquals(expected.get(id).completion(), after.get(id).getAs(GeneratedRow.COMPLETION), id);
        }
    }

    @Test
    void chatTemplateIsAppliedWhenAsked(@TempDir Path dir) throws IOException {
        Path model = Files.createDirectories(dir.resolve("chat-model"));
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(JobSpecs.modelDirectory().resolve(file), model.resolve(file));
        }
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                        JobSpecs.modelDirectory().resolve("tokenizer_config.json").toFile());
        config.put("chat_template", dev.aqlm.spark.prompt.ChatTemplateTest.MISTRAL);
        Files.writeString(model.resolve("tokenizer_config.json"), config.toString());
        Path input = dir.resolve("chat.jsonl");
        Map<String, String> prompts = new LinkedHashMap<>();
        writeJsonlWithIds(input, PROMPTS.subList(0, 4), prompts);
        JobSpecs specs = new JobSpecs().model(model).chat(true).input(input).output(dir.resolve("out"));

        new GenerateJob(spark, specs.build(), QUIET).run();

        Map<String, Row> rows = outputById(dir.resolve("out"), OutputFormat.PARQUET);
        Map<String, GenerationResult> expected = ExpectedCompletions.of(prompts, specs);
        Map<String, GenerationResult> plain = ExpectedCompletions.of(prompts, new JobSpecs().model(model));
        for (String id : prompts.keySet()) {
            assertNull(rows.get(id).getAs(GeneratedRow.ERROR));
            assertEquals(expected.get(id).promptTokens().length, (int) rows.get(id).getAs(GeneratedRow.PROMPT_TOKENS));
            assertTrue(expected.get(id).promptTokens().length > plain.get(id).promptTokens().length, "[INST] added");
            assertEquals(expected.get(id).completion(), rows.get(id).getAs(GeneratedRow.COMPLETION), id);
        }
    }

    @Test
    void textCsvAndParquetInputsGiveOneRowPerRecord(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("lines.txt");
        Files.write(text, List.of("First prompt", "Second prompt", "Third prompt"));
        new GenerateJob(spark, new JobSpecs().input(text).idColumn(null).output(dir.resolve("text-out")).maxNewTokens(3)
                .build(), QUIET).run();
        Map<String, Row> fromText = outputById(dir.resolve("text-out"), OutputFormat.PARQUET);
        assertEquals(List.of("lines.txt:1", "lines.txt:2", "lines.txt:3"), fromText.keySet().stream().sorted().toList());
        assertEquals("Second prompt", fromText.get("lines.txt:2").getAs(GeneratedRow.PROMPT));

        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, "id,prompt,top_k\n"
                + "a,\"A prompt, with a comma\",\n"
                + "b,\"A prompt over\ntwo lines\",5\n");
        new GenerateJob(spark, new JobSpecs().input(csv).output(dir.resolve("csv-out")).maxNewTokens(3).build(), QUIET).run();
        Map<String, Row> fromCsv = outputById(dir.resolve("csv-out"), OutputFormat.PARQUET);
        assertEquals(2, fromCsv.size());
        assertEquals("A prompt, with a comma", fromCsv.get("a").getAs(GeneratedRow.PROMPT));
        assertEquals("A prompt over\ntwo lines", fromCsv.get("b").getAs(GeneratedRow.PROMPT));
        assertEquals(0, (int) fromCsv.get("a").getAs(GenerationOptions.TOP_K.name()), "an empty override keeps the default");
        assertEquals(5, (int) fromCsv.get("b").getAs(GenerationOptions.TOP_K.name()));

        // Parquet with a numeric id column and a per-row seed column.
        Path parquet = dir.resolve("rows.parquet");
        spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(7L, "Hello there", 1234L),
                        org.apache.spark.sql.RowFactory.create(8L, "General Kenobi", null)),
                new org.apache.spark.sql.types.StructType().add("id", "long").add("prompt", "string").add("seed", "long"))
                .write().parquet(parquet.toString());
        new GenerateJob(spark, new JobSpecs().input(parquet).output(dir.resolve("parquet-out")).maxNewTokens(3).build(),
                QUIET).run();
        Map<String, Row> fromParquet = outputById(dir.resolve("parquet-out"), OutputFormat.PARQUET);
        assertEquals(java.util.Set.of("7", "8"), fromParquet.keySet());
        assertEquals(1234L, (long) fromParquet.get("7").getAs(GenerationOptions.SEED.name()), "the row's own seed");
        assertEquals(SamplingRandom.seedFor(7, "8"), (long) fromParquet.get("8").getAs(GenerationOptions.SEED.name()));
    }

    @Test
    void generatedIdsFollowLineOrderWhenFilesAreSplitAcrossPartitions(@TempDir Path dir) throws IOException {
        Path input = Files.createDirectories(dir.resolve("in"));
        List<String> big = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            big.add("{\"prompt\": \"line " + i + " of big\"}");
        }
        Files.write(input.resolve("big.jsonl"), big);
        Files.write(input.resolve("small.jsonl"), List.of("{\"prompt\": \"line 1 of small\"}",
                "{\"prompt\": \"line 2 of small\"}"));
        String previous = spark.conf().get("spark.sql.files.maxPartitionBytes");
        spark.conf().set("spark.sql.files.maxPartitionBytes", "1000"); // big.jsonl (~9 KB) becomes ~10 splits
        try {
            PromptTable table = new PromptTable(spark, input.toString(), null, "prompt", null, true);
            Dataset<Row> canonical = table.canonical();
            assertTrue(canonical.rdd().getNumPartitions() >= 5, "the file was split");
            List<Row> rows = canonical.collectAsList();
            assertEquals(302, rows.size());
            for (Row row : rows) {
                String id = row.getString(PromptColumns.ID_INDEX);
                String file = id.substring(0, id.indexOf(':'));
                String line = id.substring(id.indexOf(':') + 1);
                assertEquals("line " + line + " of " + file.replace(".jsonl", ""), row.getString(PromptColumns.PROMPT_INDEX));
            }
        } finally {
            spark.conf().set("spark.sql.files.maxPartitionBytes", previous);
        }
    }

    @Test
    void aModelWithoutTokenizerFailsTheJobWithTheReason(@TempDir Path dir) throws IOException {
        Path input = dir.resolve("p.jsonl");
        Files.write(input, List.of("{\"prompt\": \"a\"}"));
        JobSpecs specs = new JobSpecs().model(dev.aqlm.runtime.Fixtures.model("llama-tiny-aqlm-2x8")).input(input).idColumn(null)
                .output(dir.resolve("out"));
        AqlmException error = assertThrows(AqlmException.class, () -> new GenerateJob(spark, specs.build(), QUIET).run());
        assertTrue(error.getMessage().contains("has no tokenizer.json") && error.getMessage().contains("wave 1/1"),
                error.getMessage());
    }

    @Test
    void duplicateIdsFailTheJobBeforeAnyGeneration(@TempDir Path dir) throws IOException {
        Path input = dir.resolve("dup.jsonl");
        Files.write(input, List.of("{\"id\": \"x\", \"prompt\": \"a\"}", "{\"id\": \"y\", \"prompt\": \"b\"}",
                "{\"id\": \"x\", \"prompt\": \"c\"}"));
        AqlmException error = assertThrows(AqlmException.class, () -> new GenerateJob(spark,
                new JobSpecs().input(input).idColumn(null).output(dir.resolve("out")).build(), QUIET).run());
        assertTrue(error.getMessage().contains("1 id(s) of column 'id'") && error.getMessage().contains("'x' x2"),
                error.getMessage());
        assertTrue(Files.notExists(dir.resolve("out")), "nothing was written");
    }

    private static void assertErrorContains(Map<String, Row> rows, String id, String text) {
        Row row = rows.get(id);
        String error = row.getAs(GeneratedRow.ERROR);
        assertTrue(error != null && error.contains(text), id + ": expected an error with '" + text + "', got " + error);
        assertEquals("error", row.getAs(GeneratedRow.FINISH_REASON));
    }

    private static Map<String, String> texts(Map<String, GenerationResult> results) {
        return results.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().completion()));
    }

    static Map<String, Row> outputById(Path output, OutputFormat format) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (Row row : OutputTotals.rows(spark, output.toString(), format).collectAsList()) {
            rows.put(row.getAs(GeneratedRow.ID), row);
        }
        return rows;
    }

    private static void writeJsonl(Path file, List<String> prompts, String name, Map<String, String> byId)
            throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            lines.add("{\"prompt\": \"" + prompts.get(i) + "\"}");
            byId.put(name + ":" + (i + 1), prompts.get(i));
        }
        Files.write(file, lines);
    }

    private static void writeJsonlWithIds(Path file, List<String> prompts, Map<String, String> byId) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            lines.add("{\"id\": \"row-" + i + "\", \"prompt\": \"" + prompts.get(i) + "\"}");
            byId.put("row-" + i, prompts.get(i));
        }
        Files.write(file, lines);
    }
}
