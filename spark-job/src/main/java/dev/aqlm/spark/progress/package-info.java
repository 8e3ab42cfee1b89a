/**
 * Progress of Spark jobs on the driver, shared by every job: tasks add to named accumulators
 * ({@link dev.aqlm.spark.progress.ProgressMeasures}) and {@link dev.aqlm.spark.progress.JobProgress} turns executor
 * heartbeats and task ends into progress lines, tokens/s per executor and an ETA.
 */
package dev.aqlm.spark.progress;
