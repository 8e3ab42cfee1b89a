/**
 * Bulk generation on Spark: the file job ({@code aqlm-spark bulk-generate}, or spark-submit with main class
 * {@link dev.aqlm.spark.generate.GenerateJob}) and the DataFrame API for notebooks
 * ({@link dev.aqlm.spark.generate.DataFrameGenerator}), one pipeline under both.
 *
 * <p>Driver: {@link dev.aqlm.spark.generate.CanonicalPrompts} turns prompt records into canonical string rows
 * ({@link dev.aqlm.spark.generate.PromptColumns}; ids from a column, else generated: {@link dev.aqlm.spark.generate.RowIds}
 * by file and row for files read by {@link dev.aqlm.spark.generate.PromptTable},
 * {@link dev.aqlm.spark.generate.PositionIds} by position for DataFrames); {@link dev.aqlm.spark.generate.UniqueIds}
 * refuses null or repeated ids; {@link dev.aqlm.spark.generate.GenerationStage} is the lazy generation stage.
 * {@link dev.aqlm.spark.generate.GenerateJob} adds what is the file job's own: the output folder with its
 * {@link dev.aqlm.spark.generate.JobFingerprint} (resume), commit waves through Spark's file commit protocol,
 * {@link dev.aqlm.spark.progress.JobProgress} for live progress, and a {@link dev.aqlm.spark.generate.JobSummary} of
 * totals read back from the output ({@link dev.aqlm.spark.generate.OutputTotals}).
 *
 * <p>Executors: {@link dev.aqlm.spark.generate.GeneratePartition} takes the executor's model and streams the partition
 * through {@link dev.aqlm.spark.generate.StreamingGeneration} (the scheduler's queue topped up from the input, finished
 * rows handed out as they complete); {@link dev.aqlm.spark.generate.RowRequests} turns each row into a request with its
 * seed from (job seed, id), or into an error row. {@link dev.aqlm.spark.generate.GeneratedRows} is the output schema.
 */
package dev.aqlm.spark.generate;
