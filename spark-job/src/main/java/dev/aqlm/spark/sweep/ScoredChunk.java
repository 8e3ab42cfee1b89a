package dev.aqlm.spark.sweep;

import dev.aqlm.spark.eval.ScoredRequest;
import dev.aqlm.spark.eval.ScoringFacts;
import dev.aqlm.spark.eval.ScoringThroughput;
import java.io.Serializable;
import java.util.List;

/**
 * What one engine call on an executor sends back to the driver: its scores, the facts of the model as the executor
 * hosts it (for the results file), and how long it took. Totals are taken from these, not from accumulators, so a
 * retried task is counted once. A plain class: Spark's Kryo cannot handle records.
 */
public final class ScoredChunk implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String executorId;
    private final ScoringFacts facts;
    private final ScoringThroughput throughput;
    private final ScoredRequest[] scores;

    ScoredChunk(String executorId, ScoringFacts facts, ScoringThroughput throughput, List<ScoredRequest> scores) {
        this.executorId = executorId;
        this.facts = facts;
        this.throughput = throughput;
        this.scores = scores.toArray(new ScoredRequest[0]);
    }

    String executorId() {
        return executorId;
    }

    ScoringFacts facts() {
        return facts;
    }

    ScoringThroughput throughput() {
        return throughput;
    }

    List<ScoredRequest> scores() {
        return List.of(scores);
    }
}
