package dev.aqlm.spark.generate;

import dev.aqlm.runtime.engine.EngineOptions;

/**
 * Everything a bulk-generation job is asked to do (built by the CLI, or by a program or notebook). Lives on the
 * driver; executors get only the {@link dev.aqlm.spark.executor.ModelDescriptor} and {@link GenerationDefaults}.
 *
 * @param inputFormat     null to infer from the file extension
 * @param idColumn        null to number rows by file and position
 * @param rowOverrides    use the input's temperature/top_p/top_k/max_new_tokens/seed columns where present
 * @param model           checkpoint directory or Hugging Face Hub id, as the user gave it
 * @param partitions      generation tasks per commit wave; 0 = the input's partitions, spread over the cluster's cores
 * @param commitEveryRows rows per commit wave: each wave is one Spark write, so a crashed job resumes from the last
 * @param queueDepth      requests waiting in each task's scheduler queue (0 = twice the slots)
 * @param faultInjection  a deliberate failure for fault-tolerance tests ({@link dev.aqlm.spark.executor.FaultInjection}), or null
 */
public record GenerateJobSpec(String input, InputFormat inputFormat, String promptColumn, String idColumn,
                              boolean rowOverrides, String output, OutputFormat outputFormat, OutputMode mode,
                              String model, EngineOptions engine, GenerationDefaults defaults, int partitions,
                              long commitEveryRows, int queueDepth, String faultInjection,
                              double progressIntervalSeconds) {

    /** What to do when the output already exists. */
    public enum OutputMode {
        /** Refuse: the output must not exist yet. */
        CREATE,
        /** Skip ids already in the output (the model and settings must be the same). */
        RESUME,
        /** Delete the output first. */
        OVERWRITE
    }
}
