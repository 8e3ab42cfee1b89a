package dev.aqlm.spark.sweep;

import dev.aqlm.runtime.hub.ModelLocation;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.runtime.scoring.ScoringSettings;
import dev.aqlm.spark.eval.ScoringLength;
import dev.aqlm.spark.executor.FaultInjection;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.executor.ModelTasks;
import java.util.Collections;
import java.util.Iterator;
import org.apache.spark.api.java.function.FlatMapFunction;
import scala.Tuple2;

/**
 * The scoring stage's task: a planned partition of requests (keyed by plan position, in scoring order) in, scored
 * chunks out, on the executor's model. The max length and the KV context are settled here, where the model is, by
 * the same rule as the single-process eval.
 */
final class ScorePartition implements FlatMapFunction<Iterator<Tuple2<Long, PlannedRequest>>, ScoredChunk> {
    private static final long serialVersionUID = 1L;

    private final ModelDescriptor model;
    private final Integer maxLength;
    private final ScoringRules rules;
    private final int maxBatchTokens;
    private final int requestsPerCall;
    private final ScoringCounters counters;
    private final FaultInjection fault;

    ScorePartition(ModelDescriptor model, Integer maxLength, ScoringRules rules, int maxBatchTokens,
                   int requestsPerCall, ScoringCounters counters, FaultInjection fault) {
        this.model = model;
        this.maxLength = maxLength;
        this.rules = rules;
        this.maxBatchTokens = maxBatchTokens;
        this.requestsPerCall = requestsPerCall;
        this.counters = counters;
        this.fault = fault;
    }

    @Override
    public Iterator<ScoredChunk> call(Iterator<Tuple2<Long, PlannedRequest>> keyed) {
        if (!keyed.hasNext()) {
            return Collections.emptyIterator();
        }
        ScoringLength length = maxLength != null ? ScoringLength.of(maxLength, model.engineOptions())
                : ScoringLength.resolve(ModelLocation.resolve(model.model()), null, model.engineOptions());
        ModelDescriptor hosted = new ModelDescriptor(model.model(), length.options());
        ScoringSettings settings = new ScoringSettings(rules, length.maxLength(), maxBatchTokens);
        Iterator<PlannedRequest> requests = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return keyed.hasNext();
            }

            @Override
            public PlannedRequest next() {
                return keyed.next()._2();
            }
        };
        return ModelTasks.mapWithModel(hosted, requests,
                (languageModel, input) -> new ChunkScoring(languageModel, settings, input, requestsPerCall, counters,
                        fault));
    }
}
