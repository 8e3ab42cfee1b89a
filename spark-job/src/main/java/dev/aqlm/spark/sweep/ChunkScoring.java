package dev.aqlm.spark.sweep;

import dev.aqlm.runtime.LanguageModel;
import dev.aqlm.runtime.scoring.Scorer;
import dev.aqlm.runtime.scoring.ScoringSettings;
import dev.aqlm.spark.eval.EngineRequestScorer;
import dev.aqlm.spark.eval.EvalRequest;
import dev.aqlm.spark.eval.ScoredRequest;
import dev.aqlm.spark.eval.ScoringFacts;
import dev.aqlm.spark.eval.ScoringThroughput;
import dev.aqlm.spark.executor.FaultInjection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.SparkEnv;

/**
 * A partition's requests scored on the executor's model, one engine call per chunk: about {@code requestsPerCall}
 * requests, extended to the end of the last group so no group is split. Lazy: a chunk is read from the partition only
 * when the previous one has been handed on.
 */
final class ChunkScoring implements Iterator<ScoredChunk> {
    private final LanguageModel model;
    private final ScoringSettings settings;
    private final Iterator<PlannedRequest> input;
    private final int requestsPerCall;
    private final ScoringCounters counters;
    private final FaultInjection fault;
    private PlannedRequest lookahead;
    private long calls;

    /** @param fault a deliberate failure before some engine call, or null */
    ChunkScoring(LanguageModel model, ScoringSettings settings, Iterator<PlannedRequest> input, int requestsPerCall,
                 ScoringCounters counters, FaultInjection fault) {
        this.model = model;
        this.settings = settings;
        this.input = input;
        this.requestsPerCall = requestsPerCall;
        this.counters = counters;
        this.fault = fault;
    }

    @Override
    public boolean hasNext() {
        return lookahead != null || input.hasNext();
    }

    @Override
    public ScoredChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (fault != null) {
            fault.beforeRow(calls);
        }
        calls++;
        List<EvalRequest> chunk = nextChunk();
        long start = System.nanoTime();
        ScoringCounters.CallCounts counts = counters.call(chunk.size());
        Scorer scorer = model.scorer(settings).withProgress(counts);
        List<ScoredRequest> scores = new EngineRequestScorer(scorer).score(chunk);
        counts.finish();
        ScoringThroughput throughput = ScoringThroughput.of(chunk.size(), scorer.stats(),
                (System.nanoTime() - start) / 1e9);
        return new ScoredChunk(executorId(), ScoringFacts.of(model, scorer), throughput, scores);
    }

    private List<EvalRequest> nextChunk() {
        List<EvalRequest> chunk = new ArrayList<>();
        while (lookahead != null || input.hasNext()) {
            PlannedRequest next = lookahead != null ? lookahead : input.next();
            lookahead = null;
            if (chunk.size() >= requestsPerCall && next.startsGroup()) {
                lookahead = next;
                break;
            }
            chunk.add(next.request());
        }
        return chunk;
    }

    private static String executorId() {
        SparkEnv env = SparkEnv.get();
        return env == null ? "driver" : env.executorId();
    }
}
