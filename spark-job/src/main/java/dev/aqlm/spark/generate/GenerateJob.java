package dev.aqlm.spark.generate;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import dev.aqlm.runtime.AqlmException;
import dev.aqlm.runtime.cli.RuntimeCli;
import dev.aqlm.runtime.hub.HubSettings;
import dev.aqlm.runtime.hub.ModelLocation;
import dev.aqlm.spark.cli.BulkGenerateCommand;
import dev.aqlm.spark.executor.ExecutorFailures;
import dev.aqlm.spark.executor.FaultInjection;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.progress.JobProgress;
import dev.aqlm.spark.session.SparkSessions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The bulk-generation job's driver. Reads the prompts, checks their ids, prepares the output folder (fingerprint,
 * resume), then generates in commit waves: each wave is a hash slice of the pending ids, streamed through the
 * executors' models in mapPartitions and written with Spark's file commit protocol, so a retried or speculative
 * attempt never duplicates rows and a crashed job loses at most the wave in flight. Totals come from the output.
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
        System.exit(RuntimeCli.execute(new BulkGenerateCommand(), args));
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
        validate();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path output = new Path(spec.output());
        String pinnedModel = ModelLocation.pin(spec.model(), HubSettings.fromEnvironment());
        PromptTable table = new PromptTable(spark, spec.input(), spec.inputFormat(), spec.promptColumn(),
                spec.idColumn(), spec.rowOverrides());
        Dataset<Row> prompts = table.canonical();
        long inputRows = checkIds(prompts, table.idColumn());
        List<String> overrides = table.overrideColumns(table.raw());
        if (!overrides.isEmpty()) {
            console.println("per-row overrides from input columns: " + overrides);
        }

        JobFingerprint fingerprint = JobFingerprint.of(spec, pinnedModel, table.idColumn());
        boolean resuming = prepareOutput(output, hadoop, fingerprint);
        OutputTotals before = resuming ? OutputTotals.read(spark, spec.output(), spec.outputFormat()) : OutputTotals.NONE;
        Dataset<Row> pending = prompts;
        long pendingRows = inputRows;
        if (before.rows() > 0) {
            Dataset<Row> done = OutputTotals.rows(spark, spec.output(), spec.outputFormat()).select(GeneratedRows.ID);
            // Broadcasting the done ids keeps the input's partitioning (no shuffle before the GPU stage) unless they
            // are too many to ship to every executor.
            Dataset<Row> doneIds = before.rows() <= MAX_BROADCAST_DONE_IDS ? broadcast(done) : done;
            pending = prompts.join(doneIds, prompts.col(PromptColumns.ID).equalTo(done.col(GeneratedRows.ID)),
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
        ProgressCounters counters = new ProgressCounters(spark.sparkContext());
        GeneratePartition task = new GeneratePartition(new ModelDescriptor(pinnedModel, spec.engine()), spec.defaults(),
                spec.queueDepth() > 0 ? spec.queueDepth() : 2 * spec.engine().slots(), counters,
                FaultInjection.parse(spec.faultInjection()));
        int partitions = partitionsFor(prompts);
        long start = System.nanoTime();
        try (JobProgress progress = new JobProgress(counters.measures(), pendingRows, console,
                spec.progressIntervalSeconds())) {
            spark.sparkContext().addSparkListener(progress);
            try {
                for (int wave = 0; wave < waves && pendingRows > 0; wave++) {
                    Dataset<Row> slice = waves == 1 ? pending
                            : pending.where(pmod(xxhash64(col(PromptColumns.ID)), lit(waves)).equalTo(wave));
                    if (partitions > 0) {
                        slice = slice.repartition(partitions, col(PromptColumns.ID));
                    }
                    spark.sparkContext().setJobDescription("aqlm-spark bulk-generate: wave " + (wave + 1) + "/" + waves);
                    try {
                        write(slice.mapPartitions(task, Encoders.row(GeneratedRows.SCHEMA)));
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

    private void validate() {
        if (spec.commitEveryRows() < 1) {
            throw new AqlmException("--commit-every must be at least 1 row, got " + spec.commitEveryRows());
        }
        if (spec.partitions() < 0) {
            throw new AqlmException("--partitions must be >= 0, got " + spec.partitions());
        }
    }

    private void write(Dataset<Row> rows) {
        DataFrameWriter<Row> writer = rows.write().mode(SaveMode.Append).format(spec.outputFormat().sparkSource());
        if (spec.outputFormat() == OutputFormat.JSONL) {
            writer = writer.option("ignoreNullFields", "false"); // keep "error": null, one schema for every line
        }
        writer.save(spec.output());
    }

    /**
     * Generation tasks per wave: as asked; else the input's partitions, unless a cluster has more task slots than
     * that (one small prompts file is one partition, which would keep all but one GPU idle).
     */
    private int partitionsFor(Dataset<Row> prompts) {
        if (spec.partitions() > 0) {
            return spec.partitions();
        }
        if (SparkSessions.isLocal(spark)) {
            return 0;
        }
        int slots = spark.sparkContext().defaultParallelism();
        return prompts.rdd().getNumPartitions() < slots ? slots : 0;
    }

    /** The number of input rows; fails before any generation when ids are null or repeated. */
    private long checkIds(Dataset<Row> prompts, String idColumn) {
        Dataset<Row> perId = prompts.groupBy(PromptColumns.ID).agg(count(lit(1)).as("n"));
        Row check = perId.agg(sum("n"), sum(when(col("n").gt(1), 1).otherwise(0)),
                sum(when(col(PromptColumns.ID).isNull(), col("n")).otherwise(0))).first();
        long rows = check.isNullAt(0) ? 0 : check.getLong(0);
        long duplicated = check.isNullAt(1) ? 0 : check.getLong(1);
        long nulls = check.isNullAt(2) ? 0 : check.getLong(2);
        if (nulls > 0) {
            throw new AqlmException(nulls + " row(s) of " + spec.input() + " have a null id in column '" + idColumn
                    + "'; every row needs an id (or leave --id-column out to number rows by file and position)");
        }
        if (duplicated > 0) {
            List<String> examples = perId.where(col("n").gt(1)).limit(5).collectAsList().stream()
                    .map(row -> "'" + row.getString(0) + "' x" + row.getLong(1)).toList();
            throw new AqlmException(duplicated + " id(s) of column '" + idColumn + "' in " + spec.input()
                    + " occur more than once (e.g. " + String.join(", ", examples) + "); ids must be unique, since"
                    + " seeds and resume go by id");
        }
        return rows;
    }

    /** Creates, replaces or checks the output folder; true when an earlier run's rows may be in it. */
    private boolean prepareOutput(Path output, Configuration hadoop, JobFingerprint fingerprint) {
        try {
            FileSystem fs = output.getFileSystem(hadoop);
            boolean exists = fs.exists(output);
            if (exists && spec.mode() == GenerateJobSpec.OutputMode.OVERWRITE) {
                fs.delete(output, true);
                exists = false;
            }
            if (exists && spec.mode() == GenerateJobSpec.OutputMode.CREATE) {
                throw new AqlmException("output " + output + " already exists: add --resume to continue it (rows"
                        + " already there are skipped), --overwrite to replace it, or choose another --output");
            }
            if (exists) {
                JobFingerprint stored = JobFingerprint.read(output, hadoop);
                if (stored == null) {
                    if (hasDataFiles(fs, output)) {
                        throw new AqlmException(output + " has files but no " + JobFingerprint.FILE_NAME
                                + ": it is not the output of aqlm-spark bulk-generate, so it cannot be resumed");
                    }
                    fingerprint.write(output, hadoop);
                    return false;
                }
                fingerprint.requireSameAs(stored, output.toString());
                return true;
            }
            fs.mkdirs(output);
            fingerprint.write(output, hadoop);
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare output " + output, e);
        }
    }

    private static boolean hasDataFiles(FileSystem fs, Path folder) throws IOException {
        if (!fs.getFileStatus(folder).isDirectory()) {
            return true;
        }
        for (FileStatus status : fs.listStatus(folder)) {
            String name = status.getPath().getName();
            if (!name.startsWith("_") && !name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
