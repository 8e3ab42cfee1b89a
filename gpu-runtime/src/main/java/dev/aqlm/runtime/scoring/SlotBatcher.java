package dev.aqlm.runtime.scoring;

import dev.aqlm.runtime.engine.Backend;
import dev.aqlm.runtime.engine.ChunkOutput;
import dev.aqlm.runtime.engine.ChunkResult;
import dev.aqlm.runtime.engine.SequenceChunk;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Runs a {@link ScoringPlan} on a backend. Each KV slot works through one prefix group at a time; every forward pass
 * takes the next chunk of each busy slot (up to the token budget), so independent requests are batched across
 * slots while the members of a group follow each other in their slot. Chunks longer than the budget are cut into
 * pieces; a piece scores the targets that fall inside it.
 */
final class SlotBatcher {
    private final Backend backend;
    private final int maxBatchTokens;
    private final ScoringProgress progress;

    /** A chunk of one input: its tokens at [start, end) of that input, with the targets inside that range. */
    private record Piece(int input, int start, int[] tokens, int[] targets) {
    }

    /** Running totals of one input's scored tokens. */
    private static final class Accumulator {
        double logLikelihood;
        boolean greedy = true;
        int piecesLeft;
    }

    SlotBatcher(Backend backend, int maxBatchTokens, ScoringProgress progress) {
        this.backend = backend;
        this.maxBatchTokens = maxBatchTokens;
        this.progress = progress;
    }

    /** Scores every distinct input of the plan; the result list follows {@code plan.inputs}. */
    List<Loglikelihood> run(ScoringPlan plan, ScoringStats stats) {
        Accumulator[] totals = new Accumulator[plan.inputs.size()];
        Deque<PrefixGroup> pending = new ArrayDeque<>(plan.groups);
        List<Deque<Piece>> slots = new ArrayList<>();
        for (int s = 0; s < backend.slotCount(); s++) {
            slots.add(new ArrayDeque<>());
        }
        int done = 0;
        long computed = 0;
        int firstSlot = 0;
        progress.advanced(0, totals.length, 0);
        while (true) {
            for (Deque<Piece> slot : slots) {
                if (slot.isEmpty() && !pending.isEmpty()) {
                    load(pending.poll(), plan, slot, totals);
                }
            }
            List<SequenceChunk> batch = new ArrayList<>();
            List<Piece> pieces = new ArrayList<>();
            int tokens = 0;
            for (int k = 0; k < slots.size(); k++) {
                int slot = (firstSlot + k) % slots.size();
                Piece piece = slots.get(slot).peek();
                if (piece != null && (batch.isEmpty() || tokens + piece.tokens.length <= maxBatchTokens)) {
                    batch.add(new SequenceChunk(slot, piece.start, piece.tokens, piece.targets.length == 0
                            ? ChunkOutput.CACHE_ONLY : new ChunkOutput.TargetLogProbs(piece.targets)));
                    pieces.add(slots.get(slot).poll());
                    tokens += piece.tokens.length;
                }
            }
            if (batch.isEmpty()) {
                break;
            }
            firstSlot = (firstSlot + 1) % slots.size();
            List<ChunkResult> results = backend.forward(batch);
            stats.forwardPasses++;
            stats.computedTokens += tokens;
            computed += tokens;
            for (int i = 0; i < pieces.size(); i++) {
                Accumulator total = totals[pieces.get(i).input];
                ChunkResult result = results.get(i);
                if (pieces.get(i).targets.length > 0) {
                    for (int t = 0; t < pieces.get(i).targets.length; t++) {
                        total.logLikelihood += result.targetLogProbs()[t];
                        total.greedy &= result.targetIsArgmax()[t];
                    }
                }
                if (--total.piecesLeft == 0) {
                    done++;
                }
            }
            progress.advanced(done, totals.length, computed);
        }
        List<Loglikelihood> scores = new ArrayList<>(totals.length);
        for (Accumulator total : totals) {
            scores.add(new Loglikelihood(total.logLikelihood, total.greedy));
        }
        return scores;
    }

    /** Queues a group's chunks in a free slot: the first member from position 0, the others after the prefix. */
    private void load(PrefixGroup group, ScoringPlan plan, Deque<Piece> slot, Accumulator[] totals) {
        for (int m = 0; m < group.members().size(); m++) {
            int index = group.members().get(m);
            ScoringInput input = plan.inputs.get(index);
            Accumulator total = new Accumulator();
            totals[index] = total;
            int start = m == 0 ? 0 : group.sharedLength();
            while (start < input.length()) {
                int end = Math.min(input.length(), start + maxBatchTokens);
                int scoredStart = Math.max(start, input.scoredFrom());
                int[] targets = end > scoredStart
                        ? Arrays.copyOfRange(input.targets, scoredStart - input.scoredFrom(), end - input.scoredFrom())
                        : new int[0];
                slot.add(new Piece(index, start, Arrays.copyOfRange(input.tokens, start, end), targets));
                total.piecesLeft++;
                start = end;
            }
        }
    }
}
