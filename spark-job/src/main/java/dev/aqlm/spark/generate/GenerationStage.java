package dev.aqlm.spark.generate;

import static org.apache.spark.sql.functions.col;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.runtime.hub.HubSettings;
import dev.aqlm.runtime.hub.ModelLocation;
import dev.aqlm.spark.executor.FaultInjection;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.session.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The generation stage every path runs (the DataFrame API, and each commit wave of the file job): canonical prompt
 * rows in, one {@link GeneratedRows} row per prompt out, streamed through the executors' models in mapPartitions by
 * {@link GeneratePartition}. Lazy: nothing is generated until the result is used.
 */
final class GenerationStage {
    private final GeneratePartition task;
    private final int partitions;

    /**
     * @param executorModel what executors load ({@link #executorModel})
     * @param allPrompts    every canonical row this stage will see, to size the stage once for all of its slices
     */
    GenerationStage(SparkSession spark, GenerationSpec spec, String executorModel, Dataset<Row> allPrompts,
                    ProgressCounters counters) {
        if (spec.partitions() < 0) {
            throw new AqlmException("partitions must be >= 0 (0: as the input is partitioned), got " + spec.partitions());
        }
        this.task = new GeneratePartition(new ModelDescriptor(executorModel, spec.engine()), spec.defaults(),
                spec.effectiveQueueDepth(), counters, FaultInjection.parse(spec.faultInjection()));
        this.partitions = partitionsFor(spark, spec, allPrompts);
    }

    /** The generated rows of {@code prompts} (canonical rows, or a slice of them). */
    Dataset<Row> generate(Dataset<Row> prompts) {
        Dataset<Row> spread = partitions > 0 ? prompts.repartition(partitions, col(PromptColumns.ID)) : prompts;
        return spread.mapPartitions(task, Encoders.row(GeneratedRows.SCHEMA));
    }

    /**
     * The model as every executor must load it: a Hub id pinned to its current commit (so all load the same
     * snapshot), a directory this driver sees made absolute (executors may run elsewhere). On local Spark the
     * executors are this process, so a model that is neither fails now, with the message that names it.
     */
    static String executorModel(SparkSession spark, String model) {
        HubSettings hub = HubSettings.fromEnvironment();
        if (Files.isDirectory(Path.of(model))) {
            return Path.of(model).toAbsolutePath().normalize().toString();
        }
        if (SparkSessions.isLocal(spark) && !ModelLocation.isHubId(model)) {
            ModelLocation.resolve(model, hub);
        }
        return ModelLocation.pin(model, hub);
    }

    /**
     * Generation tasks: as asked; else the input's partitions, unless a cluster has more task slots than that (one
     * small prompts file is one partition, which would keep all but one GPU idle).
     */
    private static int partitionsFor(SparkSession spark, GenerationSpec spec, Dataset<Row> prompts) {
        if (spec.partitions() > 0) {
            return spec.partitions();
        }
        if (SparkSessions.isLocal(spark)) {
            return 0;
        }
        int slots = spark.sparkContext().defaultParallelism();
        return prompts.rdd().getNumPartitions() < slots ? slots : 0;
    }
}
