package dev.aqlm.runtime.scoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides what runs for a list of requests: identical inputs are computed once, and inputs that share their unscored
 * prefix form a {@link PrefixGroup} whose prefix is computed once. Groups come longest first, so that the slots work
 * on sequences of similar length at the same time and the batches stay dense.
 */
final class ScoringPlan {
    /**
     * A group runs serially in one slot; a very large one (say, thousands of requests behind one fixed prompt) would
     * leave the other slots idle, so it is cut into parts that each compute the prefix once.
     */
    static final int MAX_GROUP_MEMBERS = 16;

    final List<ScoringInput> inputs = new ArrayList<>();
    /** Per request: its index in {@link #inputs}, or -1 for an empty continuation (nothing to run). */
    final int[] inputOfRequest;
    final List<PrefixGroup> groups = new ArrayList<>();
    long requestedTokens;

    ScoringPlan(List<TokenizedRequest> requests, int maxLength) {
        inputOfRequest = new int[requests.size()];
        Map<ScoringInput, Integer> distinct = new LinkedHashMap<>();
        for (int r = 0; r < requests.size(); r++) {
            TokenizedRequest request = requests.get(r);
            if (request.continuation().length == 0) {
                inputOfRequest[r] = -1;
                continue;
            }
            ScoringInput input;
            try {
                input = ScoringInput.of(request, maxLength);
            } catch (RuntimeException e) {
                throw new dev.aqlm.runtime.engine.InvalidRequestException("request " + r + ": " + e.getMessage());
            }
            requestedTokens += input.length();
            inputOfRequest[r] = distinct.computeIfAbsent(input, key -> {
                inputs.add(key);
                return inputs.size() - 1;
            });
        }
        groupBySharedPrefix();
    }

    private void groupBySharedPrefix() {
        Map<ScoringInput.TokenPrefix, List<Integer>> byPrefix = new LinkedHashMap<>();
        List<List<Integer>> alone = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            ScoringInput input = inputs.get(i);
            if (input.scoredFrom() == 0) {
                alone.add(List.of(i));
            } else {
                byPrefix.computeIfAbsent(input.sharablePrefix(), key -> new ArrayList<>()).add(i);
            }
        }
        for (List<Integer> members : byPrefix.values()) {
            int shared = inputs.get(members.get(0)).scoredFrom();
            for (int from = 0; from < members.size(); from += MAX_GROUP_MEMBERS) {
                addGroup(members.subList(from, Math.min(members.size(), from + MAX_GROUP_MEMBERS)), shared);
            }
        }
        for (List<Integer> single : alone) {
            addGroup(single, 0);
        }
        groups.sort(Comparator.comparingLong(PrefixGroup::tokens).reversed());
    }

    private void addGroup(List<Integer> members, int shared) {
        long tokens = shared;
        for (int member : members) {
            tokens += inputs.get(member).length() - shared;
        }
        groups.add(new PrefixGroup(members.size() == 1 ? 0 : shared, List.copyOf(members), tokens));
    }
}
