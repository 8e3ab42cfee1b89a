package dev.aqlm.spark.sweep;

import dev.aqlm.runtime.hub.ModelLocation;
import dev.aqlm.runtime.scoring.ScoringRules;
import dev.aqlm.runtime.scoring.ScoringSettings;
import dev.aqlm.spark.eval.ScoringLength;
import dev.aqlm.spark.executor.FaultInjection;
import dev.aqlm.spark.executor.ModelDescriptor;
import dev.aqlm.spark.executor.ModelTasks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * The scoring stage's task: a planned partition of requests (in scoring order) in, scored chunks out, on the
 * executor's model. The max length and the KV context are settled here, where the model is, by the same rule as the
 * single-process eval.
 */
final class ScorePartition implements FlatMapFunction<Iterator<PlannedRequest[]>, ScoredChunk> {
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
    public Iterator<ScoredChunk> call(Iterator<PlannedRequest[]> partition) {
        Iterator<PlannedRequest> requests = flatten(partition);
        if (!requests.hasNext()) {
            return Collections.emptyIterator();
        }
        ScoringLength length = maxLength != null ? ScoringLength.of(maxLength, model.engineOptions())
                : ScoringLength.resolve(ModelLocation.resolve(model.model()), null, model.engineOptions());
        ModelDescriptor hosted = new ModelDescriptor(model.model(), length.options());
        ScoringSettings settings = new ScoringSettings(rules, length.maxLength(), maxBatchTokens);
        return ModelTasks.mapWithModel(hosted, requests,
                (languageModel, input) -> new ChunkScoring(languageModel, settings, input, requestsPerCall, counters,
                        fault));
    }

    /** The planned partition arrived with the task, already in memory: one array, or none for an empty slice. */
    private static Iterator<PlannedRequest> flatten(Iterator<PlannedRequest[]> partition) {
        List<PlannedRequest> requests = new ArrayList<>();
        partition.forEachRemaining(planned -> requests.addAll(Arrays.asList(planned)));
        return requests.iterator();
    }
}
