package dev.aqlm.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.GenerationSettings;
import dev.aqlm.runtime.engine.Scheduler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

        @Option(names = "--prompts", description = "JSONL file, one {\"prompt\": ..., \"id\": ...} per line")
        Path prompts;
    }

    @Option(names = "--output", description = "where --prompts results go (JSONL); default stdout")
    Path output;

    @Mixin EngineOptionsMixin engine;
    @Mixin SamplingOptionsMixin sampling;

    @Override
    public Integer call() throws IOException {
        try (LanguageModel languageModel = ModelLoading.load(model, engine.toEngineOptions())) {
            return input.prompt != null ? streamOne(languageModel) : runFile(languageModel);
        }
    }

    private int streamOne(LanguageModel languageModel) {
        PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8); // UTF-8 whatever the locale
        GenerationSettings settings = sampling.toSettings().withListener((id, token, text) -> {
            stdout.print(text);
            stdout.flush();
        });
        long start = System.nanoTime();
        GenerationResult result = languageModel.generate(input.prompt, settings);
        double seconds = (System.nanoTime() - start) / 1e9;
        stdout.println();
        if (result.failed()) {
            System.err.println("error: " + result.error());
            return 1;
        }
        if (result.truncatedPromptTokens() > 0) {
            System.err.printf("prompt truncated: %d tokens dropped from its start (BOS kept) to fit the context%n",
                    result.truncatedPromptTokens());
        }
        System.err.printf("%d prompt + %d new tokens in %.2f s (%.1f tokens/s), finish: %s%n",
                result.promptTokens().length, result.completionTokens().length, seconds,
                result.completionTokens().length / seconds, result.finishReason().label());
        return 0;
    }

    private int runFile(LanguageModel languageModel) throws IOException {
        List<String> lines = Files.readAllLines(input.prompts, StandardCharsets.UTF_8);
        GenerationSettings settings = sampling.toSettings();
        Scheduler scheduler = languageModel.newScheduler();
        Map<String, String> prompts = new HashMap<>();
        List<ObjectNode> failures = new ArrayList<>();
        int submitted = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = input.prompts.getFileName() + " line " + (i + 1);
            String id = "line-" + (i + 1);
            try {
                JsonNode row = JSON.readTree(lines.get(i));
                if (!row.path("prompt").isTextual()) {
                    throw new IllegalArgumentException("no \"prompt\" string");
                }
                id = row.hasNonNull("id") ? row.get("id").asText() : id;
                if (prompts.putIfAbsent(id, row.get("prompt").asText()) != null) {
                    throw new IllegalArgumentException("duplicate id '" + id + "'");
                }
                scheduler.submit(languageModel.request(id, row.get("prompt").asText(), settings));
                submitted++;
            } catch (IOException | RuntimeException e) {
                failures.add(failureRow(id, where + ": " + e.getMessage()));
            }
        }
        try (OutputStream sink = output == null ? new NonClosingStream(System.out) : Files.newOutputStream(output);
             PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8)) {
            failures.forEach(row -> out.println(row.toString()));
            ProgressBar progress = new ProgressBar(System.err, "prompts", submitted);
            while (scheduler.hasWork()) {
                for (GenerationResult result : scheduler.step()) {
                    out.println(resultRow(result, prompts.get(result.id())).toString());
                    progress.advance(1, result.completionTokens().length);
                }
            }
            progress.finish();
        }
        if (!failures.isEmpty()) {
            System.err.println(failures.size() + " line(s) could not be used; their rows carry the error");
        }
        return 0;
    }

    /** Lets results go to stdout through a try-with-resources without closing stdout. */
    private static final class NonClosingStream extends java.io.FilterOutputStream {
        NonClosingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private static ObjectNode resultRow(GenerationResult result, String prompt) {
        ObjectNode row = JSON.createObjectNode();
        row.put("id", result.id());
        row.put("prompt", prompt);
        row.put("completion", result.completion());
        row.put("prompt_tokens", result.promptTokens().length);
        row.put("truncated_prompt_tokens", result.failed() ? null : result.truncatedPromptTokens());
        row.put("completion_tokens", result.completionTokens().length);
        row.put("finish_reason", result.finishReason().label());
        row.put("latency_ms", result.latencyNanos() / 1e6);
        row.put("error", result.error());
        return row;
    }

    private static ObjectNode failureRow(String id, String error) {
        ObjectNode row = JSON.createObjectNode();
        row.put("id", id);
        row.put("finish_reason", "error");
        row.put("error", error);
        return row;
    }
}
