package dev.aqlm.spark.cli;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.cli.EngineOptionsMixin;
import dev.aqlm.runtime.cli.ProgressBar;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.runtime.hub.ModelLocation;
import dev.aqlm.runtime.scoring.Scorer;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.runtime.scoring.ScoringSettings;
import dev.aqlm.spark.eval.EngineRequestScorer;
import dev.aqlm.spark.eval.EvalRequest;
import dev.aqlm.spark.eval.Evaluation;
import dev.aqlm.spark.eval.EvaluationPreflight;
import dev.aqlm.spark.eval.EvaluationReport;
import dev.aqlm.spark.eval.EvaluationRun;
import dev.aqlm.spark.eval.LocalDatasetFolder;
import dev.aqlm.spark.eval.ScoredRequest;
import dev.aqlm.spark.eval.ScoringFacts;
import dev.aqlm.spark.eval.ScoringLength;
import dev.aqlm.spark.eval.ScoringThroughput;
import dev.aqlm.spark.eval.TaskMetrics;
import dev.aqlm.spark.eval.TaskRequests;
import dev.aqlm.spark.eval.Tasks;
import dev.aqlm.spark.sweep.SweepJob;
import dev.aqlm.spark.sweep.SweepSpec;
import dev.aqlm.spark.eval.EvalOptions;
import dev.aqlm.spark.session.SparkMasterOptions;
import dev.aqlm.spark.sweep.SparkScoringOptions;
import dev.aqlm.spark.sweep.SweepCommand;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eval}: lm-evaluation-harness-style zero-shot scoring of one model, in this process or, with {@code --spark}
 * / {@code --master} (or under spark-submit), across a Spark cluster. Either way results go where lm-eval puts them,
 * with the same contents; the table goes to stdout, progress and throughput to stderr.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Score zero-shot lm-eval tasks (hellaswag, piqa, arc_easy, arc_challenge, winogrande,"
                + " lambada_openai, boolq, openbookqa, wikitext) as lm-evaluation-harness does.",
                "In this process by default; with --spark or --master the requests are scored by the executors of a"
                        + " Spark application (embedded local Spark unless --master or spark-submit says otherwise)."})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true,
            description = "checkpoint directory (with --master: visible to every executor), or Hugging Face Hub id"
                    + " org/name[@revision] (downloaded into the Hub cache)")
    String model;

    @Option(names = "--spark", description = "score on Spark executors (implied by --master and by spark-submit)")
    boolean spark;

    @Mixin EvalOptions evaluation;
    @Mixin SparkMasterOptions sparkMaster;
    @Mixin SparkScoringOptions sparkScoring;
    @Mixin EngineOptionsMixin engine;

    /** Where the table goes: stdout in UTF-8 (the arrows), whatever the platform's default charset. */
    PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    @Override
    public Integer call() {
        if (spark || sparkMaster.master != null || SparkMasterOptions.underSparkSubmit()) {
            SweepJob.runStandalone(toSparkSpec(), sparkMaster.master, sparkMaster.conf, System.err, stdout);
            return 0;
        }
        return evaluateHere();
    }

    SweepSpec toSparkSpec() {
        return SweepCommand.spec(List.of(model), evaluation, sparkScoring, engine.toEngineOptions());
    }

    private int evaluateHere() {
        long start = System.nanoTime();
        EvaluationPreflight.checkSettings(evaluation.output, List.of(model), evaluation.maxLength, evaluation.limit,
                evaluation.bootstrapIterations, evaluation.maxBatchTokens);
        EngineOptions engineOptions = engine.toEngineOptions();
        ScoringRules rules = evaluation.rules();
        List<TaskRequests> requests = Evaluation.build(Tasks.parse(evaluation.tasks),
                new LocalDatasetFolder(evaluation.data), evaluation.limit);
        List<EvalRequest> all = Evaluation.allRequests(requests);
        Path directory = ModelLocation.resolve(model);
        EvaluationPreflight.checkAgainstModel(directory, evaluation.maxLength, engineOptions);
        ScoringLength length = ScoringLength.resolve(directory, evaluation.maxLength, engineOptions);
        try (LanguageModel languageModel = LanguageModel.load(directory, length.options())) {
            System.err.printf("loaded %s (%s) on %s; %d requests from %d task(s), rule %s, max length %d%n", model,
                    languageModel.config().describe(), languageModel.backend().description(), all.size(),
                    requests.size(), rules.label(), length.maxLength());
            Scorer scorer = languageModel.scorer(new ScoringSettings(rules, length.maxLength(),
                    evaluation.maxBatchTokens));
            ProgressReport progress = new ProgressReport();
            scorer.withProgress(progress::update);
            long scoringStart = System.nanoTime();
            List<ScoredRequest> scored = new EngineRequestScorer(scorer).score(all);
            ScoringThroughput throughput = ScoringThroughput.of(all.size(), scorer.stats(),
                    (System.nanoTime() - scoringStart) / 1e9);
            progress.finish();
            System.err.println(throughput.describe());
            List<TaskMetrics> metrics = Evaluation.aggregate(requests, scored, evaluation.bootstrapIterations);
            EvaluationRun run = EvaluationRun.of(model, rules.label(), ScoringFacts.of(languageModel, scorer),
                    evaluation.maxBatchTokens, evaluation.limit, evaluation.bootstrapIterations, start,
                    System.nanoTime(), throughput.describe());
            EvaluationReport.write(evaluation.output, metrics, run, evaluation.logSamples, System.err);
            EvaluationReport.printTable(stdout, metrics, run);
        }
        return 0;
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
