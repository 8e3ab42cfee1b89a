/**
 * lm-evaluation-harness's {@code loglikelihood} and {@code loglikelihood_rolling} on any backend.
 *
 * <p>{@link dev.aqlm.runtime.scoring.RequestEncoder} builds token requests by lm-eval's rules (whole-string split,
 * trailing-whitespace move, prefix token, rolling windows; {@link dev.aqlm.runtime.scoring.ScoringRules} picks the
 * current or the v0.4.0 rule set). {@link dev.aqlm.runtime.scoring.Scorer} runs them: each request becomes lm-eval's
 * model input (left-truncated to {@code max_length + 1}, minus the last token); identical inputs run once; inputs
 * that share their unscored prefix (the choices of one question) form a group that runs in one KV slot, the first
 * member from position 0 and every later one only from the end of the shared prefix, since the backend attends to
 * what the slot already holds and later chunks overwrite the earlier tail. Groups, longest first, fill the slots;
 * each forward pass batches the next chunk of every busy slot, within a token budget. The backend returns the fp32
 * log-softmax of each target and whether it was the argmax ({@code ChunkOutput.TargetLogProbs}).
 */
package dev.aqlm.runtime.scoring;
