package dev.aqlm.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.spark.eval.EvalRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver's plan: every request once, prefix groups whole, work balanced, longest groups first. */
class RequestPartitionsTest {
    /** Documents with 2-4 choices behind contexts of varied length, a duplicated request, and rolling pages. */
    private static List<EvalRequest> requests() {
        List<EvalRequest> requests = new ArrayList<>();
        for (int doc = 0; doc < 40; doc++) {
            String context = "Question " + doc + ": " + "word ".repeat(1 + (doc * 7) % 30) + "\nAnswer:";
            for (int choice = 0; choice < 2 + doc % 3; choice++) {
                requests.add(EvalRequest.loglikelihood("mc", doc, choice, context, " choice " + choice));
            }
        }
        // The same request in a second task: it must meet its twin in one engine call.
        requests.add(EvalRequest.loglikelihood("mc_copy", 0, 0, requests.get(0).getContext(), " choice 0"));
        for (int page = 0; page < 3; page++) {
            requests.add(EvalRequest.rolling("pages", page, "text ".repeat(50 * (page + 1))));
        }
        return requests;
    }

    @Test
    void everyRequestOnceAndEachContextInOnePartition() {
        List<EvalRequest> requests = requests();
        RequestPartitions plan = RequestPartitions.plan(requests, 4);
        assertEquals(4, plan.count());
        List<EvalRequest> planned = new ArrayList<>();
        Map<String, Integer> partitionOfGroup = new HashMap<>();
        for (int p = 0; p < plan.count(); p++) {
            List<EvalRequest> partition = plan.partitions().get(p);
            assertTrue(!partition.isEmpty(), "partition " + p + " is empty");
            for (int r = 0; r < partition.size(); r++) {
                EvalRequest request = partition.get(r);
                planned.add(request);
                Integer previous = partitionOfGroup.put(RequestPartitions.groupKey(request), p);
                assertTrue(previous == null || previous == p, request + " is apart from its context's group");
                if (previous != null) {
                    assertTrue(RequestPartitions.sameGroup(partition.get(r - 1), request),
                            request + " does not follow the rest of its group");
                }
            }
        }
        assertEquals(requests.size(), planned.size());
        assertEquals(new HashSet<>(requests), new HashSet<>(planned));
    }

    @Test
    void workIsBalancedAndGroupsComeLongestFirst() {
        RequestPartitions plan = RequestPartitions.plan(requests(), 3);
        long[] work = new long[plan.count()];
        long largestGroup = 0;
        for (int p = 0; p < plan.count(); p++) {
            // Work: each group's context once plus every continuation; length: context plus longest continuation.
            Map<String, long[]> groups = new LinkedHashMap<>();
            for (EvalRequest request : plan.partitions().get(p)) {
                long[] group = groups.computeIfAbsent(RequestPartitions.groupKey(request),
                        key -> new long[] {request.getContext().length(), request.getContext().length()});
                group[0] += request.getContinuation().length();
                group[1] = Math.max(group[1], request.getContext().length() + request.getContinuation().length());
            }
            long previousLength = Long.MAX_VALUE;
            for (long[] group : groups.values()) {
                work[p] += group[0];
                largestGroup = Math.max(largestGroup, group[0]);
                assertTrue(group[1] <= previousLength, "partition " + p + ": groups come longest first");
                previousLength = group[1];
            }
        }
        long max = Arrays.stream(work).max().orElseThrow();
        long min = Arrays.stream(work).min().orElseThrow();
        // Longest-processing-time packing: no partition exceeds another by more than one group's work.
        assertTrue(max - min <= largestGroup, "work per partition " + Arrays.toString(work));
    }

    @Test
    void neverMorePartitionsThanGroups() {
        List<EvalRequest> oneDocument = List.of(EvalRequest.loglikelihood("t", 0, 0, "Q", " a"),
                EvalRequest.loglikelihood("t", 0, 1, "Q", " b"));
        RequestPartitions plan = RequestPartitions.plan(oneDocument, 8);
        assertEquals(1, plan.count());
        assertEquals(oneDocument, plan.partitions().get(0), "a group keeps its requests' order");
    }

    @Test
    void plannedPartitionerMapsPlanPositionsToTheirPartition() {
        PlannedPartitioner partitioner = PlannedPartitioner.ofSizes(new int[] {3, 1, 2});
        assertEquals(3, partitioner.numPartitions());
        int[] expected = {0, 0, 0, 1, 2, 2};
        for (long key = 0; key < expected.length; key++) {
            assertEquals(expected[(int) key], partitioner.getPartition(key), "key " + key);
        }
    }
}
