package dev.aqlm.spark.generate;

import dev.aqlm.runtime.generation.GeneratedRow;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.spark.executor.ExecutorFailures;
import dev.aqlm.spark.progress.JobProgress;
import dev.aqlm.spark.session.SparkSessions;
import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The bulk-generation job's driver: the pipeline of the DataFrame API ({@link DataFrameGenerator}: canonical prompt
 * rows, checked ids, the {@link GenerationStage}) between reading a file and committing the output. Reads the prompts,
 * checks their ids, prepares the output folder (fingerprint, resume), then generates in commit waves: each wave is a
 * hash slice of the pending ids, run through the generation stage and written with Spark's file commit protocol, so
 * a retried or speculative attempt never duplicates rows and a crashed job loses at most the wave in flight. Totals
 * come from the output.
 *
 * <p>spark-submit entry point: {@code spark-submit --class dev.aqlm.spark.generate.GenerateJob app.jar [options]}
 * (the options of {@code aqlm-spark bulk-generate}).
 */
public final class GenerateJob {
    private static final long MAX_BROADCAST_DONE_IDS = 5_000_000;

    private final SparkSession spark;
    private final GenerateJobSpec spec;
    private final PrintStream console;

    public GenerateJob(SparkSession spark, GenerateJobSpec spec, PrintStream console) {
        this.spark = spark;
        this.spec = spec;
        this.console = console;
    }

    public static void main(String[] args) {
        System.exit(RuntimeCli.execute(new BulkGenerateCommand(), args, SparkSessions::silenceLogging));
    }

    /** Runs the job in {@code master} (null: spark-submit's, else local) and stops the session afterwards. */
    public static JobSummary runStandalone(GenerateJobSpec spec, String master, java.util.Map<String, String> conf,
                                           PrintStream console) {
        SparkSession spark = SparkSessions.getOrCreate("aqlm-spark bulk-generate", master, conf);
        try {
            return new GenerateJob(spark, spec, console).run();
        } finally {
            spark.stop();
        }
    }

    public JobSummary run() {
        if (spec.commitEveryRows() < 1) {
            throw new AqlmException("--commit-every must be at least 1 row, got " + spec.commitEveryRows());
        }
        GenerationSpec generation = spec.generation();
        GenerateOutputFolder output = new GenerateOutputFolder(spec.output(), spark.sparkContext().hadoopConfiguration());
        output.requireApartFrom(spec.input());
        String executorModel = GenerationStage.executorModel(spark, generation.model());
        GenerationPreflight.check(generation, executorModel);
        PromptTable table = new PromptTable(spark, spec.input(), spec.inputFormat(), generation.promptColumn(),
                generation.idColumn(), generation.rowOverrides());
        Dataset<Row> prompts = table.canonical();
        long inputRows = UniqueIds.check(prompts, table.idColumn(), table.idColumnRequested(), table.source());
        ProgressCounters counters = new ProgressCounters(spark.sparkContext());
        GenerationStage generate = new GenerationStage(spark, generation, executorModel, prompts, counters);
        List<String> overrides = table.overrideColumns();
        if (!overrides.isEmpty()) {
            console.println("per-row overrides from input columns: " + overrides);
        }

        JobFingerprint fingerprint = JobFingerprint.of(spec, executorModel, table.idColumn());
        boolean resuming = output.prepare(spec.mode(), fingerprint);
        OutputTotals before = resuming ? OutputTotals.read(spark, spec.output(), spec.outputFormat()) : OutputTotals.NONE;
        Dataset<Row> pending = prompts;
        long pendingRows = inputRows;
        if (before.rows() > 0) {
            Dataset<Row> done = OutputTotals.rows(spark, spec.output(), spec.outputFormat()).select(GeneratedRow.ID);
            // Broadcasting the done ids keeps the input's partitioning (no shuffle before the GPU stage) unless they
            // are too many to ship to every executor.
            Dataset<Row> doneIds = before.rows() <= MAX_BROADCAST_DONE_IDS ? broadcast(done) : done;
            pending = prompts.join(doneIds, prompts.col(PromptColumns.ID).equalTo(done.col(GeneratedRow.ID)),
                    "left_anti");
            pendingRows = pending.count();
        }
        long skipped = inputRows - pendingRows;
        console.printf("%d input rows from %s (%s, ids %s); %d to generate%s%n", inputRows, spec.input(),
                table.format().name().toLowerCase(), table.generatesIds() ? "<file>:<row>" : "from column '"
                        + table.idColumn() + "'", pendingRows,
                skipped > 0 ? ", " + skipped + " already in " + spec.output() : "");

        int waves = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (pendingRows + spec.commitEveryRows() - 1)
                / spec.commitEveryRows()));
        long start = System.nanoTime();
        try (JobProgress progress = new JobProgress(counters.measures(), pendingRows, console,
                spec.progressIntervalSeconds())) {
            spark.sparkContext().addSparkListener(progress);
            try {
                for (int wave = 0; wave < waves && pendingRows > 0; wave++) {
                    Dataset<Row> slice = waves == 1 ? pending
                            : pending.where(pmod(xxhash64(col(PromptColumns.ID)), lit(waves)).equalTo(wave));
                    spark.sparkContext().setJobDescription("aqlm-spark bulk-generate: wave " + (wave + 1) + "/" + waves);
                    try {
                        write(generate.generate(slice));
                    } catch (Exception e) { // SparkException is checked, though Scala throws it undeclared
                        throw ExecutorFailures.explain(e, "wave " + (wave + 1) + "/" + waves + " of " + spec.output(),
                                "rows committed in earlier waves are kept; fix the cause and rerun with --resume");
                    }
                    if (waves > 1) {
                        console.printf("committed wave %d/%d; %s%n", wave + 1, waves, progress.line());
                    }
                }
            } finally {
                spark.sparkContext().removeSparkListener(progress);
                spark.sparkContext().setJobDescription(null);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            OutputTotals after = OutputTotals.read(spark, spec.output(), spec.outputFormat());
            return new JobSummary(spec.output(), spec.outputFormat(), inputRows, skipped, after.minus(before), after,
                    seconds, progress.tokensPerSecondByExecutor(), progress.failedTasks(), waves);
        }
    }

    private void write(Dataset<Row> rows) {
        DataFrameWriter<Row> writer = rows.write().mode(SaveMode.Append).format(spec.outputFormat().sparkSource());
        if (spec.outputFormat() == OutputFormat.JSONL) {
            writer = writer.option("ignoreNullFields", "false"); // keep "error": null, one schema for every line
        }
        writer.save(spec.output());
    }
}
