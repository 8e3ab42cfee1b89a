package dev.aqlm.spark.sweep;

import dev.aqlm.runtime.errors.AqlmException;
import dev.aqlm.spark.eval.ScoredRequest;
import dev.aqlm.spark.eval.ScoringFacts;
import dev.aqlm.spark.eval.ScoringThroughput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One model's scores gathered on the driver, with the facts its executors reported and its throughput: overall (over
 * the stage's wall time) and per executor (over the time its engine calls took).
 */
record ModelScores(List<ScoredRequest> scores, ScoringFacts facts, ScoringThroughput total,
                   Map<String, ScoringThroughput> byExecutor) {

    static ModelScores gather(String model, List<ScoredChunk> chunks, double wallSeconds) {
        if (chunks.isEmpty()) {
            throw new AqlmException(model + ": no requests were scored");
        }
        List<ScoredRequest> scores = new ArrayList<>();
        ScoringFacts facts = chunks.get(0).facts();
        TreeSet<String> devices = new TreeSet<>();
        ScoringThroughput total = ScoringThroughput.NONE;
        Map<String, ScoringThroughput> byExecutor = new TreeMap<>();
        for (ScoredChunk chunk : chunks) {
            if (!chunk.facts().sameScoringAs(facts)) {
                throw new AqlmException(model + ": executors scored under different settings (" + facts + " vs "
                        + chunk.facts() + "); every executor must see the same model files");
            }
            scores.addAll(chunk.scores());
            devices.add(chunk.facts().device());
            total = total.plus(chunk.throughput());
            byExecutor.merge(chunk.executorId(), chunk.throughput(), ScoringThroughput::plus);
        }
        return new ModelScores(scores, facts.withDevice(String.join("; ", devices)), total.over(wallSeconds),
                byExecutor);
    }
}
