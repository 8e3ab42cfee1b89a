package dev.aqlm.spark.sweep;

import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.hub.HubSettings;
import dev.aqlm.runtime.hub.ModelLocation;
import dev.aqlm.spark.eval.EvalRequest;
import dev.aqlm.spark.eval.Evaluation;
import dev.aqlm.spark.eval.EvaluationReport;
import dev.aqlm.spark.eval.EvaluationRun;
import dev.aqlm.spark.eval.EvaluationPreflight;
import dev.aqlm.spark.eval.LocalDatasetFolder;
import dev.aqlm.spark.eval.ModelResults;
import dev.aqlm.spark.eval.OutputFiles;
import dev.aqlm.spark.eval.TaskMetrics;
import dev.aqlm.spark.eval.TaskRequests;
import dev.aqlm.spark.eval.Tasks;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.session.SparkSessions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark evaluation's driver, for one model ({@code eval --spark}) or several ({@code sweep}) in one application.
 * Builds every task's requests from the driver's data first (a bad task name or missing data fails here, before any
 * model loads), plans and shuffles them into partitions once, then per model: scores them on the executors, gathers
 * the scores, computes the metrics, and writes lm-eval's results files exactly as the single-process eval does.
 * One model failing does not stop a sweep of several; its error is reported with the others' results.
 *
 * <p>spark-submit entry point: {@code spark-submit --class dev.aqlm.spark.sweep.SweepJob app.jar [sweep options]}.
 */
public final class SweepJob {
    private final SparkSession spark;
    private final SweepSpec spec;
    private final PrintStream console;
    private final PrintStream tables;

    /**
     * @param console progress, file names and throughput
     * @param tables  each model's lm-eval table as it finishes
     */
    public SweepJob(SparkSession spark, SweepSpec spec, PrintStream console, PrintStream tables) {
        this.spark = spark;
        this.spec = spec;
        this.console = console;
        this.tables = tables;
    }

    public static void main(String[] args) {
        System.exit(RuntimeCli.execute(new SweepCommand(), args, SparkSessions::silenceLogging));
    }

    /** Runs the job in {@code master} (null: spark-submit's, else local) and stops the session afterwards. */
    public static List<ModelResults> runStandalone(SweepSpec spec, String master, Map<String, String> conf,
                                                   PrintStream console, PrintStream tables) {
        SparkSession spark = SparkSessions.getOrCreate("aqlm-spark eval", master, conf);
        try {
            return new SweepJob(spark, spec, console, tables).run();
        } finally {
            spark.stop();
        }
    }

    /** Every model's results, in the order given; a failed model's entry carries its error. */
    public List<ModelResults> run() {
        long start = System.nanoTime();
        validate();
        List<TaskRequests> tasks = Evaluation.build(Tasks.parse(spec.tasks()), new LocalDatasetFolder(spec.data()),
                spec.limit());
        List<EvalRequest> requests = Evaluation.allRequests(tasks);
        if (requests.isEmpty()) {
            throw new AqlmException("tasks " + spec.tasks() + " have no documents in " + spec.data()
                    + "; nothing to score");
        }
        Map<String, String> pinned = pinModels();
        int wanted = spec.partitions() > 0 ? spec.partitions() : spark.sparkContext().defaultParallelism();
        SparkScoring scoring = new SparkScoring(spark, requests, wanted);
        console.printf("%d requests from %d task(s) in %d partition(s); rule %s; %d model(s)%n", requests.size(),
                tasks.size(), scoring.partitions(), spec.rules().label(), spec.models().size());
        List<ModelResults> results = new ArrayList<>();
        long turnStart = start;
        for (String model : spec.models()) {
            try {
                results.add(evaluate(model, pinned.get(model), tasks, scoring, turnStart));
            } catch (RuntimeException e) {
                if (spec.models().size() == 1) {
                    throw e;
                }
                console.println("error: " + model + ": " + e.getMessage());
                results.add(ModelResults.failed(model, e.getMessage()));
            }
            turnStart = System.nanoTime();
        }
        return results;
    }

    private ModelResults evaluate(String model, String pinnedModel, List<TaskRequests> tasks, SparkScoring scoring,
                                  long start) {
        if (Files.isDirectory(Path.of(pinnedModel))) { // a length this model cannot hold fails it alone, before scoring
            EvaluationPreflight.checkAgainstModel(Path.of(pinnedModel), spec.maxLength(), spec.engine());
        }
        ModelDescriptor descriptor = new ModelDescriptor(pinnedModel, spec.engine());
        ModelScores scores = scoring.score(model, descriptor, spec, console);
        console.println(model + ": " + scores.total().describe());
        scores.byExecutor().forEach((executor, throughput) -> console.printf(Locale.ROOT,
                "  executor %s: %d requests, %.1f requests/s, %.0f tokens/s while scoring (%.2f s)%n", executor,
                throughput.requests(), throughput.requestsPerSecond(), throughput.tokensPerSecond(),
                throughput.seconds()));
        List<TaskMetrics> metrics = Evaluation.aggregate(tasks, scores.scores(), spec.bootstrapIterations());
        EvaluationRun run = EvaluationRun.of(model, spec.rules().label(), scores.facts(), spec.maxBatchTokens(),
                spec.limit(), spec.bootstrapIterations(), start, System.nanoTime(), scores.total().describe());
        Path file = EvaluationReport.write(spec.output(), metrics, run, spec.logSamples(), console);
        EvaluationReport.printTable(tables, metrics, run);
        return ModelResults.scored(metrics, run, file);
    }

    private void validate() {
        if (spec.models().isEmpty()) {
            throw new AqlmException("no models given; name one or more checkpoint directories or Hub ids");
        }
        Map<String, String> folders = new HashMap<>();
        for (String model : spec.models()) {
            String previous = folders.put(OutputFiles.sanitizeModelName(model), model);
            if (previous != null) {
                throw new AqlmException("models '" + previous + "' and '" + model + "' would share the results folder "
                        + spec.output().resolve(OutputFiles.sanitizeModelName(model)) + "; name each model once");
            }
        }
        if (spec.partitions() < 0) {
            throw new AqlmException("--partitions must be >= 0, got " + spec.partitions());
        }
        if (spec.requestsPerCall() < 1) {
            throw new AqlmException("--requests-per-call must be at least 1, got " + spec.requestsPerCall());
        }
        EvaluationPreflight.checkSettings(spec.output(), spec.models(), spec.maxLength(), spec.limit(),
                spec.bootstrapIterations(), spec.maxBatchTokens());
    }

    /**
     * What executors load for each model as given: Hub ids pinned to their current commit, so every executor loads
     * the same snapshot (and an unknown id fails before any scoring); a directory this driver sees made absolute
     * (executors run elsewhere); other paths as given, since a cluster's executors may see paths this driver does
     * not. On local Spark the executors are this process, so a missing directory fails now.
     */
    private Map<String, String> pinModels() {
        Map<String, String> pinned = new HashMap<>();
        HubSettings hub = HubSettings.fromEnvironment();
        boolean local = SparkSessions.isLocal(spark);
        for (String model : spec.models()) {
            if (Files.isDirectory(Path.of(model))) {
                pinned.put(model, Path.of(model).toAbsolutePath().normalize().toString());
                continue;
            }
            if (local && !ModelLocation.isHubId(model)) {
                ModelLocation.resolve(model, hub); // fails with the message that names the model
            }
            pinned.put(model, ModelLocation.pin(model, hub));
        }
        return pinned;
    }
}
