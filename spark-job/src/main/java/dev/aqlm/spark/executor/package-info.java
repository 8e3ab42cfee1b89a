/**
 * What every aqlm-spark job runs on its executors, independent of the job: generation, lm-eval scoring and sweeps.
 *
 * <ul>
 *   <li>{@link dev.aqlm.spark.executor.ModelDescriptor}: the small serializable description of a model (path or
 *       pinned Hub id, engine options) that travels in task closures; never the weights.</li>
 *   <li>{@link dev.aqlm.spark.executor.ModelTasks#mapWithModel}: the entry point for a partition. It resolves the
 *       task's GPU ({@link dev.aqlm.spark.executor.TaskDevices}: Spark's "gpu" address to a CUDA ordinal in PCI bus
 *       order, or the configured ordinal in local mode), takes the executor's model
 *       ({@link dev.aqlm.spark.executor.ExecutorModel}: loaded once per JVM, keyed by model, options and GPU, one
 *       task at a time) until the task completes, and guards the partition's lazy iterator. A scoring job writes
 *       {@code ModelTasks.mapWithModel(descriptor, rows, (model, input) -> lazyScoredRows(model, input))}.</li>
 *   <li>{@link dev.aqlm.spark.executor.PoisonedProcessGuard}: the poisoned-context hook. Any
 *       {@link dev.aqlm.runtime.errors.AqlmException} whose {@code poisonsProcess()} is true (the CUDA backend's sticky
 *       errors), anywhere in a cause chain, halts the executor JVM with exit code 70 so the cluster manager replaces
 *       it and Spark retries the task on a healthy executor.</li>
 *   <li>{@link dev.aqlm.spark.executor.FaultInjection}: the same failure on purpose, for fault-tolerance tests.</li>
 *   <li>{@link dev.aqlm.spark.executor.ExecutorFailures}: on the driver, a failed job's cause as our own message (e.g.
 *       the checkpoint an executor could not load), not Spark's stage-failure text.</li>
 * </ul>
 */
package dev.aqlm.spark.executor;
