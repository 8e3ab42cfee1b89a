/**
 * The bulk-generation job ({@code aqlm-spark bulk-generate}, or spark-submit with main class
 * {@link dev.aqlm.spark.generate.GenerateJob}).
 *
 * <p>Driver: {@link dev.aqlm.spark.generate.PromptTable} reads the input into canonical string rows
 * ({@link dev.aqlm.spark.generate.PromptColumns}, ids from a column or {@link dev.aqlm.spark.generate.RowIds});
 * {@link dev.aqlm.spark.generate.GenerateJob} checks ids, prepares the output folder with its
 * {@link dev.aqlm.spark.generate.JobFingerprint} (resume), and writes commit waves through Spark's file commit protocol;
 * {@link dev.aqlm.spark.progress.JobProgress} reports live progress; {@link dev.aqlm.spark.generate.JobSummary}
 * reports totals read back from the output ({@link dev.aqlm.spark.generate.OutputTotals}).
 *
 * <p>Executors: {@link dev.aqlm.spark.generate.GeneratePartition} takes the executor's model and streams the partition
 * through {@link dev.aqlm.spark.generate.StreamingGeneration} (the scheduler's queue topped up from the input, finished
 * rows handed out as they complete); {@link dev.aqlm.spark.generate.RowRequests} turns each row into a request with its
 * seed from (job seed, id), or into an error row. {@link dev.aqlm.spark.generate.GeneratedRows} is the output schema.
 */
package dev.aqlm.spark.generate;
