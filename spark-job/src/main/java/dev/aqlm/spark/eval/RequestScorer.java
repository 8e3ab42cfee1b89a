package dev.aqlm.spark.eval;

import java.util.List;

/**
 * Scores evaluation requests somewhere: in this process on a loaded model ({@link EngineRequestScorer}), or in
 * Spark partitions on executors. Results may come back in any order; they are matched by key.
 */
@FunctionalInterface
public interface RequestScorer {
    List<ScoredRequest> score(List<EvalRequest> requests);
}
