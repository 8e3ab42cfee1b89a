package dev.aqlm.runtime.cuda;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a backend ran, counted on the lead shard so that tests can tell a replayed graph from eager work: per graph
 * step shape, the graphs captured, their launches and the steps that ran the same launches eagerly (graphs off); and
 * the eager passes (prompts, logits, scoring).
 */
final class GraphCounts {
    private final Map<GraphStep.Shape, Integer> captures = new HashMap<>();
    private final Map<GraphStep.Shape, Integer> launches = new HashMap<>();
    private final Map<GraphStep.Shape, Integer> eagerSteps = new HashMap<>();
    private int eagerPasses;

    void captured(GraphStep.Shape shape) {
        captures.merge(shape, 1, Integer::sum);
    }

    void stepRan(GraphStep.Shape shape, boolean asGraph) {
        (asGraph ? launches : eagerSteps).merge(shape, 1, Integer::sum);
    }

    void eagerPassRan() {
        eagerPasses++;
    }

    int captures(GraphStep.Shape shape) {
        return captures.getOrDefault(shape, 0);
    }

    int launches(GraphStep.Shape shape) {
        return launches.getOrDefault(shape, 0);
    }

    int eagerSteps(GraphStep.Shape shape) {
        return eagerSteps.getOrDefault(shape, 0);
    }

    int eagerPasses() {
        return eagerPasses;
    }

    /** Every shape that ran as a graph step, graphs on or off. */
    Set<GraphStep.Shape> shapes() {
        Set<GraphStep.Shape> all = new HashSet<>(launches.keySet());
        all.addAll(eagerSteps.keySet());
        return all;
    }
}
