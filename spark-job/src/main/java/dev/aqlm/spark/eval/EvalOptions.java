package dev.aqlm.spark.eval;

import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.runtime.scoring.ScoringSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What to evaluate and how, shared by {@code eval} (one model, in this process or on Spark) and {@code sweep}. */
public class EvalOptions {
    @Option(names = "--tasks", required = true, description = "comma-separated task names")
    public String tasks;

    @Option(names = "--data", required = true,
            description = "folder with <task>.jsonl, <task>.parquet or <task>/ shards, each the task's evaluated split")
    public Path data;

    @Option(names = "--max-length", description = "lm-eval's max_length: inputs are truncated from the left to it and"
            + " rolling windows are this long (default: the model's max_position_embeddings)")
    public Integer maxLength;

    @Option(names = "--rule", defaultValue = "current",
            description = "lm-eval rule set: current (>= 0.4.9.2: tokenizer's special tokens, BOS prefix) or v0.4.0"
                    + " (no special tokens, EOS prefix; AQLM's published tables) (default: ${DEFAULT-VALUE})")
    public String rule;

    @Option(names = "--limit", description = "score only the first N documents of each task (below 1: a fraction)")
    public Double limit;

    @Option(names = "--log-samples", description = "also write samples_<task>_<date>.jsonl per task")
    public boolean logSamples;

    @Option(names = "--output", required = true, description = "results folder (a subfolder per model is created)")
    public Path output;

    @Option(names = "--bootstrap-iters", defaultValue = "" + TaskMetrics.DEFAULT_BOOTSTRAP_ITERATIONS,
            description = "resamples for bootstrapped standard errors; 0 = none (default: ${DEFAULT-VALUE})")
    public int bootstrapIterations;

    @Option(names = "--max-batch-tokens", defaultValue = "" + ScoringSettings.DEFAULT_MAX_BATCH_TOKENS,
            description = "tokens per batched forward pass at most (default: ${DEFAULT-VALUE})")
    public int maxBatchTokens;

    public ScoringRules rules() {
        return ScoringRules.parse(rule);
    }
}
