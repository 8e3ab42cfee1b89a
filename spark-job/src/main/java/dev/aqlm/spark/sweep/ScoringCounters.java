package dev.aqlm.spark.sweep;

import dev.aqlm.runtime.scoring.ScoringProgress;
import dev.aqlm.spark.progress.ProgressMeasures;
import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Requests scored and tokens computed, added by executors as each engine call advances (so the driver's progress
 * moves within a long call too, through executor heartbeats); for progress lines only, since a failed attempt's
 * counts are in them.
 */
final class ScoringCounters implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LongAccumulator requests;
    private final LongAccumulator tokens;

    ScoringCounters(SparkContext context, String model) {
        requests = context.longAccumulator("aqlm.eval.requests " + model);
        tokens = context.longAccumulator("aqlm.eval.tokens " + model);
    }

    ProgressMeasures measures() {
        return new ProgressMeasures("requests", requests.id(), -1, tokens.id());
    }

    /**
     * Counts one engine call of {@code requestCount} requests: requests in proportion to the distinct inputs done,
     * tokens as computed. Call {@link CallCounts#finish()} when the call returns.
     */
    CallCounts call(int requestCount) {
        return new CallCounts(requestCount);
    }

    final class CallCounts implements ScoringProgress {
        private final int requestCount;
        private long requestsCounted;
        private long tokensCounted;

        private CallCounts(int requestCount) {
            this.requestCount = requestCount;
        }

        @Override
        public void advanced(int inputsDone, int inputsTotal, long tokensComputed) {
            long done = inputsTotal == 0 ? 0 : (long) requestCount * inputsDone / inputsTotal;
            requests.add(done - requestsCounted);
            tokens.add(tokensComputed - tokensCounted);
            requestsCounted = done;
            tokensCounted = tokensComputed;
        }

        void finish() {
            requests.add(requestCount - requestsCounted);
            requestsCounted = requestCount;
        }
    }
}
