package dev.aqlm.spark.sweep;

import dev.aqlm.spark.progress.ProgressMeasures;
import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/** Requests and tokens scored, added by executors after each engine call; for the driver's progress lines only. */
final class ScoringCounters implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LongAccumulator requests;
    private final LongAccumulator tokens;

    ScoringCounters(SparkContext context, String model) {
        requests = context.longAccumulator("aqlm.eval.requests " + model);
        tokens = context.longAccumulator("aqlm.eval.tokens " + model);
    }

    void record(long requestCount, long tokenCount) {
        requests.add(requestCount);
        tokens.add(tokenCount);
    }

    ProgressMeasures measures() {
        return new ProgressMeasures("requests", requests.id(), -1, tokens.id());
    }
}
