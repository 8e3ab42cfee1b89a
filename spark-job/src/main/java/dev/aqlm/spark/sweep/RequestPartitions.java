package dev.aqlm.spark.sweep;

import dev.aqlm.spark.eval.EvalRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * How the driver splits an evaluation's requests into Spark partitions.
 * <ul>
 *   <li>Requests with the same context (a document's answer choices, or identical requests of two tasks) form a
 *       group that is never split, so the engine still computes the shared prefix once and meets duplicates.</li>
 *   <li>Groups go to partitions longest-processing-time first (the biggest group to the least loaded partition),
 *       which balances the estimated work within one group's size.</li>
 *   <li>Inside a partition groups come longest first, so each engine call gets requests of similar length and its
 *       batches stay dense.</li>
 * </ul>
 * Work and length are estimated in characters: the driver has no tokenizer (the model lives on the executors), and
 * characters per token vary little within one evaluation.
 */
public final class RequestPartitions {
    private final List<List<EvalRequest>> partitions;

    private RequestPartitions(List<List<EvalRequest>> partitions) {
        this.partitions = partitions;
    }

    /** A group of requests scored together: work = every token the engine computes, length = its longest input. */
    private record Group(int firstIndex, List<EvalRequest> members, long work, long length) {
    }

    private record Load(int partition, long work) {
    }

    /** @param wanted partitions to aim for; fewer when there are fewer groups, and always at least one */
    public static RequestPartitions plan(List<EvalRequest> requests, int wanted) {
        List<Group> groups = groups(requests);
        int count = Math.max(1, Math.min(wanted, groups.size()));
        List<List<Group>> assigned = new ArrayList<>();
        PriorityQueue<Load> loads = new PriorityQueue<>(Comparator.comparingLong(Load::work)
                .thenComparingInt(Load::partition));
        for (int p = 0; p < count; p++) {
            assigned.add(new ArrayList<>());
            loads.add(new Load(p, 0));
        }
        List<Group> byWork = new ArrayList<>(groups);
        byWork.sort(Comparator.comparingLong(Group::work).reversed().thenComparingInt(Group::firstIndex));
        for (Group group : byWork) {
            Load least = loads.poll();
            assigned.get(least.partition()).add(group);
            loads.add(new Load(least.partition(), least.work() + group.work()));
        }
        List<List<EvalRequest>> partitions = new ArrayList<>(count);
        for (List<Group> partition : assigned) {
            partition.sort(Comparator.comparingLong(Group::length).reversed().thenComparingInt(Group::firstIndex));
            List<EvalRequest> ordered = new ArrayList<>();
            partition.forEach(group -> ordered.addAll(group.members()));
            partitions.add(List.copyOf(ordered));
        }
        return new RequestPartitions(List.copyOf(partitions));
    }

    private static List<Group> groups(List<EvalRequest> requests) {
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        for (int r = 0; r < requests.size(); r++) {
            byKey.computeIfAbsent(groupKey(requests.get(r)), key -> new ArrayList<>()).add(r);
        }
        List<Group> groups = new ArrayList<>(byKey.size());
        for (List<Integer> indices : byKey.values()) {
            List<EvalRequest> members = new ArrayList<>(indices.size());
            long longestContinuation = 0;
            long continuations = 0;
            for (int index : indices) {
                EvalRequest member = requests.get(index);
                members.add(member);
                longestContinuation = Math.max(longestContinuation, member.getContinuation().length());
                continuations += member.getContinuation().length();
            }
            long context = members.get(0).getContext().length();
            groups.add(new Group(indices.get(0), members, context + continuations, context + longestContinuation));
        }
        return groups;
    }

    /**
     * What keeps requests together: the context of a loglikelihood request (choices share it; so do identical
     * requests), the document of a rolling one (its windows are summed in one call).
     */
    static String groupKey(EvalRequest request) {
        return request.rolling() ? "rolling\u0000" + request.getTask() + "\u0000" + request.getDocId()
                : "context\u0000" + request.getContext();
    }

    /** Whether two requests that follow each other in a partition belong to one group. */
    static boolean sameGroup(EvalRequest first, EvalRequest second) {
        return groupKey(first).equals(groupKey(second));
    }

    /** Each partition's requests in scoring order. */
    public List<List<EvalRequest>> partitions() {
        return partitions;
    }

    public int count() {
        return partitions.size();
    }
}
