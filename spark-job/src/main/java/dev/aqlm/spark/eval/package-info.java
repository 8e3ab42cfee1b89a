/**
 * lm-evaluation-harness-style zero-shot evaluation: tasks, data, metrics and lm-eval's output files.
 *
 * <p>The pipeline splits where a cluster needs it to:
 * <ol>
 *   <li>Build, where the data is: {@link dev.aqlm.spark.eval.Evaluation#build} reads each task's split through a
 *       {@link dev.aqlm.spark.eval.DatasetSource} (a local folder now; a Hugging Face Hub resolver chains in with
 *       {@code DatasetSource.firstOf}) and yields {@link dev.aqlm.spark.eval.TaskRequests}: documents plus
 *       {@link dev.aqlm.spark.eval.EvalRequest} beans keyed by (task, document, index).</li>
 *   <li>Score, where the model is: a {@link dev.aqlm.spark.eval.RequestScorer}; in one process
 *       {@link dev.aqlm.spark.eval.EngineRequestScorer}, which a Spark partition can use as is. Scores come back as
 *       {@link dev.aqlm.spark.eval.ScoredRequest} beans under the same keys, in any order.</li>
 *   <li>Aggregate, where the documents are: {@link dev.aqlm.spark.eval.Evaluation#aggregate} gives
 *       {@link dev.aqlm.spark.eval.TaskMetrics} per task, written by {@link dev.aqlm.spark.eval.EvaluationReport}
 *       (through {@link dev.aqlm.spark.eval.ResultsDocument}, {@link dev.aqlm.spark.eval.SampleRecords},
 *       {@link dev.aqlm.spark.eval.OutputFiles} and {@link dev.aqlm.spark.eval.ResultsTable}) with the
 *       {@link dev.aqlm.spark.eval.ScoringFacts} of the model as it was hosted (device, batch, max length, special
 *       tokens: taken where the model is loaded, so a Spark driver needs no model files). A sweep's models side by
 *       side: {@link dev.aqlm.spark.eval.CombinedResults}.</li>
 * </ol>
 * Every task is one {@link dev.aqlm.spark.eval.TaskDefinition} (see {@link dev.aqlm.spark.eval.Tasks}). The classes
 * here need no Spark; only what travels is shaped for it (beans and plain classes: Kryo with registration,
 * {@code Encoders.bean}). The Spark jobs that score on executors are in {@link dev.aqlm.spark.sweep}.
 */
package dev.aqlm.spark.eval;
