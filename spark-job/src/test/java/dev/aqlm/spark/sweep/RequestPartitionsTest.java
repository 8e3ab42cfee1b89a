package dev.aqlm.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.spark.eval.EvalRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver's plan: every request once, linked requests in one group, work balanced, longest groups first. */
class RequestPartitionsTest {
    /**
     * Documents with 2-4 choices behind contexts of varied length, winogrande-style documents whose two contexts
     * differ, a request repeated by a second task, and rolling pages.
     */
    private static List<EvalRequest> requests() {
        List<EvalRequest> requests = new ArrayList<>();
        for (int doc = 0; doc < 40; doc++) {
            String context = "Question " + doc + ": " + "word ".repeat(1 + (doc * 7) % 30) + "\nAnswer:";
            for (int choice = 0; choice < 2 + doc % 3; choice++) {
                requests.add(EvalRequest.loglikelihood("mc", doc, choice, context, " choice " + choice));
            }
        }
        for (int doc = 0; doc < 10; doc++) {
            String head = "Sentence " + doc + " ends with ";
            requests.add(EvalRequest.loglikelihood("blanks", doc, 0, head + "A", " the same ending."));
            requests.add(EvalRequest.loglikelihood("blanks", doc, 1, head + "B", " the same ending."));
        }
        requests.add(EvalRequest.loglikelihood("mc_copy", 0, 0, requests.get(0).getContext(), " choice 0"));
        for (int page = 0; page < 3; page++) {
            requests.add(EvalRequest.rolling("pages", page, "text ".repeat(50 * (page + 1))));
        }
        return requests;
    }

    /** Where each request went: its partition and its group's ordinal there. */
    private static Map<EvalRequest, List<Integer>> placement(RequestPartitions plan) {
        Map<EvalRequest, List<Integer>> placed = new HashMap<>();
        for (int p = 0; p < plan.count(); p++) {
            int group = -1;
            for (PlannedRequest planned : plan.partitions().get(p)) {
                group += planned.startsGroup() ? 1 : 0;
                assertTrue(group >= 0, "partition " + p + " starts with a group");
                assertEquals(null, placed.put(planned.request(), List.of(p, group)), planned + " planned twice");
            }
        }
        return placed;
    }

    @Test
    void everyRequestOnceAndLinkedRequestsInOneGroup() {
        List<EvalRequest> requests = requests();
        RequestPartitions plan = RequestPartitions.plan(requests, 4);
        assertEquals(4, plan.count());
        Map<EvalRequest, List<Integer>> placed = placement(plan);
        assertEquals(new HashSet<>(requests), placed.keySet());
        Map<String, List<Integer>> groupOfLink = new HashMap<>();
        for (EvalRequest request : requests) {
            List<String> links = new ArrayList<>(List.of("doc " + request.getTask() + "/" + request.getDocId()));
            if (!request.getContext().isEmpty()) { // rolling pages: an empty context links nothing
                links.add("ctx " + request.getContext());
            }
            for (String link : links) {
                List<Integer> earlier = groupOfLink.putIfAbsent(link, placed.get(request));
                assertTrue(earlier == null || earlier.equals(placed.get(request)), request + " is apart from " + link);
            }
        }
        assertEquals(placed.get(requests.get(0)), placed.get(requests.get(requests.size() - 4)),
                "a request repeated by another task meets its twin");
    }

    @Test
    void workIsBalancedAndGroupsComeLongestFirst() {
        RequestPartitions plan = RequestPartitions.plan(requests(), 3);
        long[] work = new long[plan.count()];
        long largestGroup = 0;
        for (int p = 0; p < plan.count(); p++) {
            // A group's work: each distinct context once plus every continuation; its length: the longest request.
            List<long[]> groups = new ArrayList<>();
            List<HashSet<String>> contexts = new ArrayList<>();
            for (PlannedRequest planned : plan.partitions().get(p)) {
                EvalRequest request = planned.request();
                if (planned.startsGroup()) {
                    groups.add(new long[2]);
                    contexts.add(new HashSet<>());
                }
                long[] group = groups.get(groups.size() - 1);
                group[0] += (contexts.get(contexts.size() - 1).add(request.getContext()) ? request.getContext().length() : 0)
                        + request.getContinuation().length();
                group[1] = Math.max(group[1], request.getContext().length() + request.getContinuation().length());
            }
            long previousLength = Long.MAX_VALUE;
            for (long[] group : groups) {
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
        assertEquals(oneDocument, plan.partitions().get(0).stream().map(PlannedRequest::request).toList(),
                "a group keeps its requests' order");
    }
}
