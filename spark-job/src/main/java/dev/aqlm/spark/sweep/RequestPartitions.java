package dev.aqlm.spark.sweep;

import dev.aqlm.spark.eval.EvalRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * How the driver splits an evaluation's requests into Spark partitions.
 * <ul>
 *   <li>Requests of one document, and requests with the same context, form a group (transitively) that is never
 *       split, so everything the engine can share stays in one call: a document's answer choices share their
 *       context; winogrande's two contexts differ only in their last token, which the engine scores, so they share
 *       the rest; identical requests of two tasks (arc_easy and arc_challenge) are computed once.</li>
 *   <li>Groups go to partitions longest-processing-time first (the biggest group to the least loaded partition),
 *       which balances the estimated work to within one group's.</li>
 *   <li>Inside a partition groups come longest first, so each engine call gets requests of similar length and its
 *       batches stay dense.</li>
 * </ul>
 * Work and length are estimated in characters: the driver has no tokenizer (the model lives on the executors), and
 * characters per token vary little within one evaluation.
 */
public final class RequestPartitions {
    private final List<List<PlannedRequest>> partitions;

    private RequestPartitions(List<List<PlannedRequest>> partitions) {
        this.partitions = partitions;
    }

    /** Requests scored together: work = characters the engine computes, length = its longest input. */
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
        List<List<PlannedRequest>> partitions = new ArrayList<>(count);
        for (List<Group> partition : assigned) {
            partition.sort(Comparator.comparingLong(Group::length).reversed().thenComparingInt(Group::firstIndex));
            List<PlannedRequest> ordered = new ArrayList<>();
            for (Group group : partition) {
                for (int m = 0; m < group.members().size(); m++) {
                    ordered.add(new PlannedRequest(group.members().get(m), m == 0));
                }
            }
            partitions.add(List.copyOf(ordered));
        }
        return new RequestPartitions(List.copyOf(partitions));
    }

    /** Connected requests (by document or by context), each group in request order, groups by first request. */
    private static List<Group> groups(List<EvalRequest> requests) {
        int[] parent = new int[requests.size()];
        Map<String, Integer> firstWithKey = new HashMap<>();
        for (int r = 0; r < requests.size(); r++) {
            parent[r] = r;
            for (String key : links(requests.get(r))) {
                Integer other = firstWithKey.putIfAbsent(key, r);
                if (other != null) {
                    parent[root(parent, r)] = root(parent, other);
                }
            }
        }
        Map<Integer, List<Integer>> byRoot = new LinkedHashMap<>();
        for (int r = 0; r < requests.size(); r++) {
            byRoot.computeIfAbsent(root(parent, r), key -> new ArrayList<>()).add(r);
        }
        List<Group> groups = new ArrayList<>(byRoot.size());
        for (List<Integer> indices : byRoot.values()) {
            List<EvalRequest> members = new ArrayList<>(indices.size());
            Set<String> contexts = new HashSet<>();
            long work = 0;
            long length = 0;
            for (int index : indices) {
                EvalRequest member = requests.get(index);
                members.add(member);
                if (contexts.add(member.getContext())) {
                    work += member.getContext().length();
                }
                work += member.getContinuation().length();
                length = Math.max(length, member.getContext().length() + member.getContinuation().length());
            }
            groups.add(new Group(indices.get(0), members, work, length));
        }
        return groups;
    }

    private static int root(int[] parent, int index) {
        while (parent[index] != index) {
            parent[index] = parent[parent[index]];
            index = parent[index];
        }
        return index;
    }

    /**
     * What ties a request to others: its document, and its context (not an empty one: that stands for a single
     * prefix token, not worth gathering every such request of every task into one group).
     */
    private static List<String> links(EvalRequest request) {
        String document = "document\u0000" + request.getTask() + "\u0000" + request.getDocId();
        return request.rolling() || request.getContext().isEmpty() ? List.of(document)
                : List.of(document, "context\u0000" + request.getContext());
    }

    /** Each partition's requests in scoring order. */
    public List<List<PlannedRequest>> partitions() {
        return partitions;
    }

    public int count() {
        return partitions.size();
    }
}
