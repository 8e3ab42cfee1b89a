package dev.aqlm.spark.cli;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.cli.EngineOptionsMixin;
import dev.aqlm.runtime.cli.ProgressBar;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.model.ModelConfigReader;
import dev.aqlm.runtime.scoring.Scorer;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.runtime.scoring.ScoringSettings;
import dev.aqlm.runtime.scoring.ScoringStats;
import dev.aqlm.runtime.tokenizer.TextTokenizer;
import dev.aqlm.spark.eval.EngineRequestScorer;
import dev.aqlm.spark.eval.EvalRequest;
import dev.aqlm.spark.eval.Evaluation;
import dev.aqlm.spark.eval.EvaluationRun;
import dev.aqlm.spark.eval.LocalDatasetFolder;
import dev.aqlm.spark.eval.OutputFiles;
import dev.aqlm.spark.eval.ResultsDocument;
import dev.aqlm.spark.eval.ResultsTable;
import dev.aqlm.spark.eval.SampleRecords;
import dev.aqlm.spark.eval.ScoredRequest;
import dev.aqlm.spark.eval.TaskMetrics;
import dev.aqlm.spark.eval.TaskRequests;
import dev.aqlm.spark.eval.Tasks;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eval}: lm-evaluation-harness-style zero-shot scoring in this process. Results go where lm-eval puts them;
 * the table goes to stdout, progress and throughput to stderr.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score zero-shot lm-eval tasks (hellaswag, piqa, arc_easy, arc_challenge, winogrande,"
                + " lambada_openai, boolq, openbookqa, wikitext) as lm-evaluation-harness does.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Hugging Face checkpoint directory")
    Path model;

    @Option(names = "--tasks", required = true, description = "comma-separated task names")
    String tasks;

    @Option(names = "--data", required = true,
            description = "folder with <task>.jsonl, <task>.parquet or <task>/ shards, each the task's evaluated split")
    Path data;

    @Option(names = "--max-length", description = "lm-eval's max_length: inputs are truncated from the left to it and"
            + " rolling windows are this long (default: the model's max_position_embeddings)")
    Integer maxLength;

    @Option(names = "--rule", defaultValue = "current",
            description = "lm-eval rule set: current (>= 0.4.9.2: tokenizer's special tokens, BOS prefix) or v0.4.0"
                    + " (no special tokens, EOS prefix; AQLM's published tables) (default: ${DEFAULT-VALUE})")
    String rule;

    @Option(names = "--limit", description = "score only the first N documents of each task (below 1: a fraction)")
    Double limit;

    @Option(names = "--log-samples", description = "also write samples_<task>_<date>.jsonl per task")
    boolean logSamples;

    @Option(names = "--output", required = true, description = "results folder (a subfolder per model is created)")
    Path output;

    @Option(names = "--bootstrap-iters", defaultValue = "100000",
            description = "resamples for bootstrapped standard errors; 0 = none (default: ${DEFAULT-VALUE})")
    int bootstrapIterations;

    @Option(names = "--max-batch-tokens", defaultValue = "8192",
            description = "tokens per batched forward pass at most (default: ${DEFAULT-VALUE})")
    int maxBatchTokens;

    @Mixin EngineOptionsMixin engine;

    /** Where the table goes: stdout in UTF-8 (the arrows), whatever the platform's default charset. */
    PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    @Override
    public Integer call() {
        long start = System.nanoTime();
        ScoringRules rules = ScoringRules.parse(rule);
        List<TaskRequests> requests = Evaluation.build(Tasks.parse(tasks), new LocalDatasetFolder(data), limit);
        List<EvalRequest> all = Evaluation.allRequests(requests);
        int length = maxLength != null ? maxLength : ModelConfigReader.read(model).maxPositionEmbeddings();
        EngineOptions options = engine.toEngineOptions();
        if (options.contextLength() == 0) {
            options = options.withContextLength(length);
        }
        try (LanguageModel languageModel = LanguageModel.load(model, options)) {
            System.err.printf("loaded %s (%s) on %s; %d requests from %d task(s), rule %s, max length %d%n", model,
                    languageModel.config().describe(), languageModel.backend().description(), all.size(),
                    requests.size(), rules.label(), length);
            Scorer scorer = languageModel.scorer(new ScoringSettings(rules, length, maxBatchTokens));
            ProgressReport progress = new ProgressReport();
            scorer.withProgress(progress::update);
            long scoringStart = System.nanoTime();
            List<ScoredRequest> scored = new EngineRequestScorer(scorer).score(all);
            double scoringSeconds = (System.nanoTime() - scoringStart) / 1e9;
            progress.finish();
            String throughput = throughput(all.size(), scorer.stats(), scoringSeconds);
            System.err.println(throughput);
            List<TaskMetrics> metrics = Evaluation.aggregate(requests, scored, bootstrapIterations);
            EvaluationRun run = new EvaluationRun(model.toString(), rules.label(), length,
                    languageModel.backend().slotCount(), maxBatchTokens, languageModel.backend().description(), limit,
                    bootstrapIterations, scorer.encoder().prefixToken(), token(languageModel.tokenizer(), true),
                    token(languageModel.tokenizer(), false), start, System.nanoTime(), throughput);
            write(metrics, run);
        }
        return 0;
    }

    private void write(List<TaskMetrics> metrics, EvaluationRun run) {
        OutputFiles files = new OutputFiles(output, run.model(), LocalDateTime.now());
        Path results = files.writeResults(ResultsDocument.build(metrics, run, System.currentTimeMillis() / 1000.0));
        System.err.println("results: " + results);
        if (logSamples) {
            for (TaskMetrics task : metrics) {
                System.err.println("samples: " + files.writeSamples(task.task().name(), SampleRecords.of(task)));
            }
        }
        stdout.printf("aqlm-spark (%s), gen_kwargs: (None), limit: %s, num_fewshot: None, batch_size: %d%n",
                run.modelArgs(), limit == null ? "None" : limit.toString(), run.batchSize());
        stdout.println(ResultsTable.render(metrics));
    }

    static String throughput(int requests, ScoringStats stats, double seconds) {
        double time = Math.max(seconds, 1e-9);
        return String.format(Locale.ROOT, "scored %d requests in %.2f s: %.1f requests/s, %.0f tokens/s (%d tokens"
                        + " in %d model inputs, %d distinct; %d tokens computed after prefix sharing, %.0f/s; %d forward"
                        + " passes)", requests, seconds, requests / time, stats.requestedTokens() / time,
                stats.requestedTokens(), stats.requests(), stats.distinctInputs(), stats.computedTokens(),
                stats.computedTokens() / time, stats.forwardPasses());
    }

    private static List<Object> token(TextTokenizer tokenizer, boolean bos) {
        int id = bos ? tokenizer.bosTokenId()
                : tokenizer.eosTokenIds().isEmpty() ? -1 : tokenizer.eosTokenIds().iterator().next();
        if (id < 0) {
            return null;
        }
        String text = tokenizer.specialTokenText(id);
        return List.of(text == null ? "" : text, id);
    }

    /** A progress bar over distinct model inputs, drawn once scoring starts. */
    private static final class ProgressReport {
        private ProgressBar bar;
        private int done;
        private long tokens;

        void update(int inputsDone, int inputsTotal, long tokensComputed) {
            if (bar == null) {
                bar = new ProgressBar(System.err, "inputs", inputsTotal);
            }
            bar.advance(inputsDone - done, tokensComputed - tokens);
            done = inputsDone;
            tokens = tokensComputed;
        }

        void finish() {
            if (bar != null) {
                bar.finish();
            }
        }
    }
}
