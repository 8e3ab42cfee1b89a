package dev.aqlm.spark.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.SamplingRandom;
import dev.aqlm.runtime.generation.GeneratedRow;
import dev.aqlm.spark.session.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The same settings through every way of giving them (the bulk-generate and generate command lines, the
 * GenerationSpec builder, a row's override columns, the DataFrame API) give the same effective sampling and the same
 * rows. The settings: top_k without a temperature (so temperature 1.0, by the one temperature rule), min_p, a
 * max_new_tokens, a seed, and the table's defaults for everything else.
 */
class GenerationSettingsAgreementTest {
    private static final Map<String, String> PROMPTS = new TreeMap<>(Map.of("a", "The capital of France is",
            "b", "Once upon a time", "c", "Quantization reduces", "d", "My favourite colour is"));
    private static final int TOP_K = 40;
    private static final double MIN_P = 0.05;
    private static final int MAX_NEW_TOKENS = 8;
    private static final long SEED = 3;
    private static final String MODEL = JobSpecs.modelDirectory().toString();
    /**
     * CPU, 4 slots, one thread: the same engine on every path; a context longer than the default max_new_tokens (128),
     * which the row-override path's job-level settings keep.
     */
    private static final EngineOptions ENGINE = new JobSpecs().engine().withContextLength(256);
    private static final String[] ENGINE_FLAGS = {"--backend", "cpu", "--slots", "4", "--threads", "1",
            "--context-length", Integer.toString(ENGINE.contextLength())};
    private static final String[] SETTING_FLAGS = {"--top-k", Integer.toString(TOP_K), "--min-p", Double.toString(MIN_P),
            "--max-new-tokens", Integer.toString(MAX_NEW_TOKENS), "--seed", Long.toString(SEED)};

    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.getOrCreate("GenerationSettingsAgreementTest", "local[2]", Map.of());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void everyPathGivesTheSameSamplingAndTheSameRows(@TempDir Path dir) throws Exception {
        GenerationSpec fromCli = bulkGenerateSpec();
        GenerationSpec fromBuilder = GenerationSpec.builder(MODEL).engine(ENGINE).topK(TOP_K).minP(MIN_P)
                .maxNewTokens(MAX_NEW_TOKENS).seed(SEED).build();
        SamplingParams expected = new SamplingParams(1.0, TOP_K, 1.0, MIN_P, SEED);
        assertThat(fromCli.defaults().values().sampling()).as("bulk-generate's flags").isEqualTo(expected);
        assertThat(fromBuilder.defaults().values().sampling()).as("GenerationSpec's builder").isEqualTo(expected);
        assertThat(fromCli.defaults().values()).isEqualTo(fromBuilder.defaults().values());

        Map<String, Map<String, String>> cliSpecRows = rows(new DataFrameGenerator(spark, fromCli).generate(prompts(false)));
        Map<String, Map<String, String>> builderRows = rows(new DataFrameGenerator(spark, fromBuilder).generate(prompts(false)));
        // Row overrides: the job has no settings but the seed; each row asks for top_k, min_p and max_new_tokens.
        GenerationSpec jobDefaults = GenerationSpec.builder(MODEL).engine(ENGINE).seed(SEED).build();
        Map<String, Map<String, String>> overrideRows = rows(new DataFrameGenerator(spark, jobDefaults)
                .generate(prompts(true)));
        Map<String, Map<String, String>> generateRows = generateCommandRows(dir);

        Map<String, Map<String, String>> engineRows = engineRows();
        for (String id : PROMPTS.keySet()) {
            Map<String, String> row = builderRows.get(id);
            assertThat(row.get("error")).as(id).isEqualTo("null");
            assertThat(row.get("temperature")).as("top_k without a temperature samples at 1.0").isEqualTo("1.0");
            assertThat(row.get("top_k")).isEqualTo(Integer.toString(TOP_K));
            assertThat(row.get("min_p")).isEqualTo(Double.toString(MIN_P));
            assertThat(row.get("top_p")).as("the table's default").isEqualTo("1.0");
            assertThat(row.get("seed")).isEqualTo(Long.toString(SamplingRandom.seedFor(SEED, id)));
            assertThat(row).as("the bulk-generate flags' rows, " + id).isEqualTo(cliSpecRows.get(id));
            assertThat(row).as("row overrides' rows, " + id).isEqualTo(overrideRows.get(id));
            assertThat(row).as("generate --prompts' rows, " + id).isEqualTo(generateRows.get(id));
            assertThat(row.get("completion")).as("the engine called directly, " + id)
                    .isEqualTo(engineRows.get(id).get("sampled"));
        }
        assertThat(PROMPTS.keySet()).as("sampling happened: some completion is not the greedy one")
                .anyMatch(id -> !engineRows.get(id).get("sampled").equals(engineRows.get(id).get("greedy")));
    }

    private static GenerationSpec bulkGenerateSpec() {
        List<String> args = new ArrayList<>(List.of("--model", MODEL, "--input", "unused.jsonl", "--output", "unused"));
        args.addAll(List.of(ENGINE_FLAGS));
        args.addAll(List.of(SETTING_FLAGS));
        BulkGenerateCommand command = new BulkGenerateCommand();
        new CommandLine(command).parseArgs(args.toArray(new String[0]));
        return command.toSpec().generation();
    }

    private static Dataset<Row> prompts(boolean withOverrides) {
        List<Row> rows = new ArrayList<>();
        PROMPTS.forEach((id, prompt) -> rows.add(withOverrides
                ? RowFactory.create(id, prompt, TOP_K, MIN_P, MAX_NEW_TOKENS) : RowFactory.create(id, prompt)));
        StructType schema = new StructType().add("id", "string").add("prompt", "string");
        if (withOverrides) {
            schema = schema.add("top_k", "int").add("min_p", "double").add("max_new_tokens", "int");
        }
        return spark.createDataFrame(rows, schema);
    }

    /** The runtime's {@code generate --prompts} with the same flags, in a JSONL file. */
    private static Map<String, Map<String, String>> generateCommandRows(Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        PROMPTS.forEach((id, prompt) -> lines.add(json.createObjectNode().put("id", id).put("prompt", prompt).toString()));
        Path input = Files.write(dir.resolve("prompts.jsonl"), lines);
        Path output = dir.resolve("completions.jsonl");
        List<String> args = new ArrayList<>(List.of("generate", "--model", MODEL, "--prompts", input.toString(),
                "--output", output.toString()));
        args.addAll(List.of(ENGINE_FLAGS));
        args.addAll(List.of(SETTING_FLAGS));
        assertThat(RuntimeCli.execute(new RuntimeCli(), args.toArray(new String[0]))).isZero();
        Map<String, Map<String, String>> rows = new TreeMap<>();
        for (String line : Files.readAllLines(output)) {
            JsonNode row = json.readTree(line);
            Map<String, String> values = new LinkedHashMap<>();
            for (GeneratedRow.Column column : comparedColumns()) {
                JsonNode value = row.get(column.name());
                values.put(column.name(), value == null || value.isNull() ? "null" : value.asText());
            }
            rows.put(values.get("id"), values);
        }
        return rows;
    }

    private static Map<String, Map<String, String>> rows(Dataset<Row> generated) {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        for (Row row : generated.collectAsList()) {
            Map<String, String> values = new LinkedHashMap<>();
            for (GeneratedRow.Column column : comparedColumns()) {
                values.put(column.name(), String.valueOf((Object) row.getAs(column.name())));
            }
            rows.put(values.get("id"), values);
        }
        return rows;
    }

    private static List<GeneratedRow.Column> comparedColumns() {
        return GeneratedRow.COLUMNS.stream().filter(c -> !GeneratedRow.TIMING_COLUMNS.contains(c.name())).toList();
    }

    /** Each prompt straight through the engine, sampled as the settings ask (stated here by hand) and greedily. */
    private static Map<String, Map<String, String>> engineRows() {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        try (LanguageModel model = LanguageModel.load(JobSpecs.modelDirectory(), ENGINE)) {
            PROMPTS.forEach((id, prompt) -> {
                long seed = SamplingRandom.seedFor(SEED, id);
                GenerationResult sampled = model.generate(prompt, GenerationSettings.greedy(MAX_NEW_TOKENS)
                        .withSampling(new SamplingParams(1.0, TOP_K, 1.0, MIN_P, seed)));
                GenerationResult greedy = model.generate(prompt, GenerationSettings.greedy(MAX_NEW_TOKENS));
                rows.put(id, Map.of("sampled", sampled.completion(), "greedy", greedy.completion()));
            });
        }
        return rows;
    }
}
