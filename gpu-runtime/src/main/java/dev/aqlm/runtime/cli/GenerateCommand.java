package dev.aqlm.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.ContextLimits;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.GenerationValues;
import dev.aqlm.runtime.engine.Speculation;
import dev.aqlm.runtime.engine.SpeculationCounts;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.generation.GeneratedRow;
import dev.aqlm.runtime.generation.RowRequests;
import dev.aqlm.runtime.generation.StreamingGeneration;
import dev.aqlm.runtime.io.IoFailures;
import dev.aqlm.runtime.io.OutputFile;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code generate}: one prompt, streamed to stdout as it is generated; or a JSONL file of prompts, run with continuous
 * batching behind a progress bar, one JSON line per prompt out. Only completions go to stdout; logs go to stderr.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate completions for one prompt (streamed) or a JSONL file of prompts.")
public final class GenerateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true,
            description = "checkpoint directory, or Hugging Face Hub id org/name[@revision] (downloaded into the Hub cache)")
    String model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--prompt", description = "the prompt text") String prompt;

        @Option(names = "--prompts", description = "JSONL file, one {\"prompt\": ..., \"id\": ...} per line; - reads stdin")
        Path prompts;
    }

    @Option(names = "--output", description = "where --prompts results go (JSONL, written whole or not at all);"
            + " default stdout")
    Path output;

    @Option(names = "--overwrite", description = "replace an existing --output file (only one that generate wrote)")
    boolean overwrite;

    @Mixin EngineOptionsMixin engine;
    @Mixin SamplingOptionsMixin sampling;

    @Override
    public Integer call() throws IOException {
        // Everything that can be checked is checked before the model loads, which may take minutes.
        GenerationValues values = sampling.toValues();
        GenerationSettings settings = values.toSettings();
        EngineOptions options = engine.toEngineOptions();
        OutputFile results = null;
        if (input.prompt != null && input.prompt.isBlank()) {
            throw new AqlmException("--prompt is empty: give the text to continue");
        }
        if (input.prompts != null) {
            PromptFile.requireReadable(input.prompts);
            results = output == null ? null : resultsFile(output, overwrite).checkWritable();
        }
        try (LanguageModel languageModel = ModelLoading.load(model, options,
                config -> ContextLimits.requireUsable(options, settings.maxNewTokens(), config))) {
            if (settings.speculation() instanceof Speculation.Assistant assistant) {
                long start = System.nanoTime(); // loaded and checked now, so a bad assistant fails before any prompt
                languageModel.assistantBackend(assistant.model());
                System.err.printf("loaded assistant %s in %.1f s%n", assistant.model(), (System.nanoTime() - start) / 1e9);
            }
            return input.prompt != null ? streamOne(languageModel, settings) : runFile(languageModel, values, results);
        }
    }

    /** The --output of generate: replaced only with --overwrite, and only if it is generate's own results. */
    static OutputFile resultsFile(Path path, boolean overwrite) {
        return new OutputFile(path, "--output", "--overwrite", overwrite, "a generate results file (JSONL rows with"
                + " \"id\" and \"finish_reason\")", GenerateCommand::isResultsFile);
    }

    private static boolean isResultsFile(Path file) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = reader.readLine();
            if (first == null) {
                return false;
            }
            JsonNode row = JSON.readTree(first);
            return row.isObject() && row.has("id") && row.has("finish_reason");
        } catch (IOException e) {
            return false;
        }
    }

    private int streamOne(LanguageModel languageModel, GenerationSettings defaults) {
        PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8); // UTF-8 whatever the locale
        GenerationSettings settings = defaults.withListener((id, token, text) -> {
            stdout.print(text);
            stdout.flush();
        });
        long start = System.nanoTime();
        GenerationResult result = languageModel.generate(input.prompt, settings);
        double seconds = (System.nanoTime() - start) / 1e9;
        stdout.println();
        if (result.failed()) {
            System.err.println("error: " + result.error());
            return RuntimeCli.EXIT_FAILURE;
        }
        if (result.truncatedPromptTokens() > 0) {
            System.err.printf("prompt truncated: %d tokens dropped from its start (BOS kept) to fit the context%n",
                    result.truncatedPromptTokens());
        }
        System.err.printf("%d prompt + %d new tokens in %.2f s (%.1f tokens/s), finish: %s%n",
                result.promptTokens().length, result.completionTokens().length, seconds,
                result.completionTokens().length / seconds, result.finishReason().label());
        if (settings.speculation().draftTokens() > 0) {
            System.err.println(result.speculation().describe(result.completionTokens().length));
        }
        return 0;
    }

    /** The prompts through the one streaming loop, one row per line in bulk-generate's schema. */
    private int runFile(LanguageModel languageModel, GenerationValues values, OutputFile results) {
        List<PromptFile.Entry> entries = PromptFile.read(input.prompts);
        long unreadable = entries.stream().filter(entry -> entry.error() != null).count();
        int[] failed = {0};
        SpeculationCounts[] speculated = {SpeculationCounts.NONE};
        int[] generated = {0};
        OutputFile.Content rows = sink -> {
            Writer out = new BufferedWriter(new OutputStreamWriter(sink, StandardCharsets.UTF_8));
            ProgressBar progress = new ProgressBar(System.err, "prompts", entries.size());
            StreamingGeneration generation = new StreamingGeneration(languageModel,
                    entries.stream().map(PromptFile.Entry::toPromptRow).iterator(),
                    new RowRequests(languageModel, values), model, 2 * languageModel.options().slots(),
                    new StreamingGeneration.RowObserver() { });
            while (generation.hasNext()) {
                GeneratedRow row = generation.next();
                out.write(jsonRow(row) + "\n");
                failed[0] += row.failed() ? 1 : 0;
                if (row.speculation() != null) {
                    speculated[0] = speculated[0].plus(row.speculation());
                    generated[0] += row.completionTokens();
                }
                progress.advance(1, row.completionTokens());
                out.flush(); // rows reach stdout as they finish
            }
            progress.finish();
            out.flush();
        };
        if (results != null) {
            results.write(rows);
            System.err.println("wrote " + results.path());
        } else {
            try {
                rows.writeTo(System.out);
            } catch (IOException e) {
                throw new AqlmException("cannot write the results to stdout: " + IoFailures.describe(e), e);
            }
            if (System.out.checkError()) { // a PrintStream keeps its write errors to itself
                throw new AqlmException("cannot write the results to stdout (is it a full disk or a closed pipe?)");
            }
        }
        if (values.speculation().draftTokens() > 0) {
            System.err.println(speculated[0].describe(generated[0]));
        }
        if (unreadable > 0) {
            System.err.println(unreadable + " line(s) could not be used; their rows carry the error");
        }
        if (!entries.isEmpty() && failed[0] == entries.size()) {
            System.err.println("error: every one of the " + entries.size() + " rows failed; see their \"error\" fields");
            return RuntimeCli.EXIT_FAILURE;
        }
        return 0;
    }

    /** A row as one JSON object: {@link GeneratedRow#COLUMNS} in order, nulls written as null. */
    static ObjectNode jsonRow(GeneratedRow row) {
        ObjectNode json = JSON.createObjectNode();
        Object[] values = row.values();
        for (int i = 0; i < values.length; i++) {
            json.set(GeneratedRow.COLUMNS.get(i).name(), JSON.valueToTree(values[i]));
        }
        return json;
    }
}
