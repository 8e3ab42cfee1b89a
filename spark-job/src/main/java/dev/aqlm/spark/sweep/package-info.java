/**
 * lm-eval scoring on Spark: one model ({@code aqlm-spark eval --spark}) or a sweep of several models over the same
 * tasks in one application ({@code aqlm-spark sweep}; spark-submit main class
 * {@link dev.aqlm.spark.sweep.SweepJob}). The evaluation itself (tasks, requests, metrics, files) is
 * {@link dev.aqlm.spark.eval}'s, unchanged; this package only moves the scoring onto the executors.
 *
 * <p>Driver: {@link dev.aqlm.spark.sweep.SweepJob} builds every task's requests from the driver's data (bad task names
 * and missing data fail here, before any model loads) and pins Hub ids. {@link dev.aqlm.spark.sweep.RequestPartitions}
 * plans the partitions: requests linked by a document or a shared context form groups that are never split (the
 * engine's prefix sharing and deduplication keep working), groups are packed longest-processing-time first to balance
 * the work, and each partition lists its groups longest first. {@link dev.aqlm.spark.sweep.SparkScoring} parallelizes
 * the planned partitions as they are (one element per slice: no shuffle before the scoring stage, so a lost executor
 * costs only its own tasks); every model then runs one Spark job over them and collects the scored chunks, from which
 * {@link dev.aqlm.spark.sweep.ModelScores} gathers the scores,
 * the facts the results file records and the throughput (overall and per executor). The metrics and files are
 * written by the same code as the single-process eval.
 *
 * <p>Executors: {@link dev.aqlm.spark.sweep.ScorePartition} settles the max length and KV context where the model is,
 * takes the executor's model through {@link dev.aqlm.spark.executor.ModelTasks#mapWithModel}, and
 * {@link dev.aqlm.spark.sweep.ChunkScoring} scores the partition in engine calls of about {@code --requests-per-call}
 * requests (whole groups), each returned as a {@link dev.aqlm.spark.sweep.ScoredChunk}; a retried task's chunks
 * replace the failed attempt's, so nothing is counted twice.
 */
package dev.aqlm.spark.sweep;
