package dev.aqlm.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.engine.GenerationRequest;
import dev.aqlm.runtime.engine.GenerationResult;
import dev.aqlm.runtime.engine.SamplingParams;
import dev.aqlm.runtime.engine.Scheduler;
import dev.aqlm.runtime.engine.Speculation;
import dev.aqlm.runtime.engine.SpeculationCounts;
import dev.aqlm.runtime.io.OutputFile;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Tokens per forward pass and tokens/s with and without speculation, measured end to end through the scheduler:
 * plain greedy decoding; the model drafting for itself (a second copy with its own KV cache, so every draft is right:
 * the mechanical ceiling of verification, where the drafting passes cost as much as the model's); and prompt lookup on
 * prompts that repeat a span (drafts are only right where the model happens to continue the repeat).
 * The model's own forward time is measured apart, so a row also shows the rate if drafting were free.
 */
public final class SpeculationBenchmark {
    private final LanguageModel model;
    private final LanguageModel selfDrafter;
    private final String modelName;
    private final SplittableRandom random = new SplittableRandom(23);

    /** @param selfDrafter a second copy of {@code model} (same checkpoint and options) that drafts for it */
    public SpeculationBenchmark(LanguageModel model, LanguageModel selfDrafter, String modelName) {
        this.model = model;
        this.selfDrafter = selfDrafter;
        this.modelName = modelName;
    }

    /** The three modes at one batch size; the first row is plain decoding, the others are compared with it. */
    public List<SpeculationBenchResult> run(int batch, int promptLength, int newTokens, int draftTokens) {
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int[] span = randomTokens(promptLength / 2);
            int[] prompt = new int[span.length * 2];
            System.arraycopy(span, 0, prompt, 0, span.length);
            System.arraycopy(span, 0, prompt, span.length, span.length);
            prompts.add(prompt);
        }
        List<Speculation> modes = List.of(Speculation.NONE,
                new Speculation.Assistant(selfDrafter.directory().toString(), draftTokens),
                new Speculation.PromptLookup(draftTokens, Speculation.DEFAULT_NGRAM));
        List<SpeculationBenchResult> rows = new ArrayList<>();
        for (int warmup = 0; warmup < 2; warmup++) { // untimed: the JIT compiles every path before any row is timed
            for (Speculation mode : modes) {
                measure(prompts, newTokens, mode);
            }
        }
        for (Speculation mode : modes) {
            SpeculationBenchResult row = measure(prompts, newTokens, mode);
            rows.add(rows.isEmpty() ? row : row.comparedWith(rows.get(0)));
        }
        return rows;
    }

    private SpeculationBenchResult measure(List<int[]> prompts, int newTokens, Speculation mode) {
        TimedBackend main = new TimedBackend(model.backend());
        TimedBackend drafter = new TimedBackend(selfDrafter.backend());
        Scheduler scheduler = new Scheduler(main, model.options().maxPrefillTokens(), null, reference -> drafter);
        for (int i = 0; i < prompts.size(); i++) {
            scheduler.submit(new GenerationRequest("b" + i, prompts.get(i), SamplingParams.GREEDY, newTokens, Set.of(),
                    List.of(), null, false, mode));
        }
        long start = System.nanoTime();
        List<GenerationResult> results = scheduler.runToCompletion();
        double seconds = (System.nanoTime() - start) / 1e9;
        SpeculationCounts counts = SpeculationCounts.NONE;
        long generated = 0;
        for (GenerationResult result : results) {
            if (result.failed()) {
                throw new IllegalStateException("bench request " + result.id() + " failed: " + result.error());
            }
            counts = counts.plus(result.speculation());
            generated += result.completionTokens().length;
        }
        String name = mode instanceof Speculation.Assistant ? "self-draft " + mode.draftTokens()
                : mode instanceof Speculation.PromptLookup ? "prompt-lookup " + mode.draftTokens() : "plain";
        return new SpeculationBenchResult(modelName, model.backend().description(), name, prompts.size(), newTokens,
                main.passes(), (double) generated / counts.forwardPasses(),
                counts.drafted() == 0 ? Double.NaN : counts.acceptanceRate(), seconds, main.seconds(),
                generated / seconds, generated / main.seconds(), Double.NaN);
    }

    private int[] randomTokens(int length) {
        int vocab = model.config().vocabSize();
        int[] tokens = new int[Math.max(1, length)];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = random.nextInt(vocab);
        }
        return tokens;
    }

    public static void printTable(List<SpeculationBenchResult> rows, PrintStream out) {
        out.printf("| %-26s | %-20s | %-16s | %5s | %6s | %8s | %8s | %10s | %10s | %8s |%n", "model", "device", "mode",
                "batch", "passes", "tok/pass", "accept", "tokens/s", "ceiling/s", "vs plain");
        out.println("|" + "-".repeat(28) + "|" + "-".repeat(22) + "|" + "-".repeat(18) + "|" + "-".repeat(7) + "|"
                + "-".repeat(8) + "|" + "-".repeat(10) + "|" + "-".repeat(10) + "|" + "-".repeat(12) + "|"
                + "-".repeat(12) + "|" + "-".repeat(10) + "|");
        for (SpeculationBenchResult r : rows) {
            out.printf(Locale.ROOT, "| %-26s | %-20s | %-16s | %5d | %6d | %8.2f | %8s | %10.1f | %10.1f | %8s |%n",
                    r.model(), r.device(), r.mode(), r.batch(), r.mainPasses(), r.tokensPerPass(),
                    Double.isNaN(r.acceptance()) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * r.acceptance()),
                    r.tokensPerSecond(), r.ceilingTokensPerSecond(),
                    Double.isNaN(r.speedup()) ? "" : String.format(Locale.ROOT, "%.2fx", r.speedup()));
        }
    }

    /** The JSON document: the command, the date, the JVM's CPUs, the rows (NaN written as null). */
    public static void writeJson(List<SpeculationBenchResult> rows, String command, OutputFile file) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("command", command);
        root.put("date", Instant.now().toString());
        root.put("java", System.getProperty("java.version"));
        root.put("cpus", Runtime.getRuntime().availableProcessors());
        root.put("mode", "speculation");
        ArrayNode results = root.putArray("results"); // the key every bench file has: --overwrite recognises it
        for (SpeculationBenchResult row : rows) {
            ObjectNode node = json.valueToTree(row);
            node.fields().forEachRemaining(field -> {
                if (field.getValue().isDouble() && Double.isNaN(field.getValue().doubleValue())) {
                    field.setValue(json.nullNode());
                }
            });
            results.add(node);
        }
        BenchReport.write(root, file);
    }
}
