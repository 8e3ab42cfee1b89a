package dev.aqlm.spark.sweep;

import dev.aqlm.runtime.cli.EngineOptionsMixin;
import dev.aqlm.runtime.cli.OptionChecks;
import dev.aqlm.runtime.engine.EngineOptions;
import dev.aqlm.spark.eval.CombinedResults;
import dev.aqlm.spark.eval.EvalOptions;
import dev.aqlm.spark.eval.ModelResults;
import dev.aqlm.spark.session.SparkMasterOptions;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sweep}: several models × several tasks in one Spark application. Each model gets the results folder that
 * {@code eval} would give it; the combined table goes to stdout and, as JSON and CSV, into the output folder.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Evaluate several models on the same lm-eval tasks in one Spark application.",
                "Requests are built once on the driver and scored model after model by the executors (one model per"
                        + " executor JVM at a time). Each model's results are written as eval writes them;"
                        + " a model that fails is reported and the sweep goes on."})
public final class SweepCommand implements Callable<Integer> {
    @Option(names = "--models", required = true, split = ",",
            description = "comma-separated checkpoint directories (visible to every executor) or Hugging Face Hub"
                    + " ids org/name[@revision]")
    List<String> models = new ArrayList<>();

    @Mixin EvalOptions evaluation;
    @Mixin SparkMasterOptions sparkMaster;
    @Mixin SparkScoringOptions sparkScoring;
    @Mixin EngineOptionsMixin engine;

    /** Where the combined table goes: stdout in UTF-8 (the arrows). */
    PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

    @Override
    public Integer call() {
        List<ModelResults> results = SweepJob.runStandalone(toSpec(), sparkMaster.master, sparkMaster.conf,
                System.err, System.err);
        CombinedResults combined = new CombinedResults(results);
        for (Path file : combined.write(evaluation.output, LocalDateTime.now())) {
            System.err.println("combined: " + file);
        }
        stdout.println(combined.markdown());
        List<ModelResults> failed = results.stream().filter(result -> !result.succeeded()).toList();
        failed.forEach(result -> System.err.println("error: " + result.model() + ": " + result.error()));
        return failed.isEmpty() ? 0 : 1;
    }

    SweepSpec toSpec() {
        return spec(models, evaluation, sparkScoring, engine.toEngineOptions());
    }

    public static SweepSpec spec(List<String> models, EvalOptions evaluation, SparkScoringOptions scoring,
                          EngineOptions engine) {
        OptionChecks.requireAtLeast("--progress-interval", scoring.progressInterval, 0.0);
        return SweepSpec.builder(models.stream().map(String::strip).filter(m -> !m.isEmpty()).toList(),
                        evaluation.tasks, evaluation.data, evaluation.output)
                .maxLength(evaluation.maxLength).rules(evaluation.rules()).limit(evaluation.limit)
                .logSamples(evaluation.logSamples).bootstrapIterations(evaluation.bootstrapIterations)
                .maxBatchTokens(evaluation.maxBatchTokens).engine(engine).partitions(scoring.partitions)
                .requestsPerCall(scoring.requestsPerCall).progressIntervalSeconds(scoring.progressInterval)
                .faultInjection(scoring.injectFault).build();
    }
}
