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

    /** A chunk of one input, for one slot: its tokens at [start, end) of that input, with the targets inside. */
    private record Piece(int input, int slot, int start, int[] tokens, int[] targets) {
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
        progress.advanced(0, totals.length, 0);
        for (int pass = 0; ; pass++) {
            for (int slot = 0; slot < slots.size(); slot++) {
                if (slots.get(slot).isEmpty() && !pending.isEmpty()) {
                    load(pending.poll(), plan, slot, slots.get(slot), totals);
                }
            }
            List<Piece> pieces = nextBatch(slots, pass % slots.size());
            if (pieces.isEmpty()) {
                break;
            }
            List<SequenceChunk> chunks = new ArrayList<>(pieces.size());
            int tokens = 0;
            for (Piece piece : pieces) {
                chunks.add(new SequenceChunk(piece.slot, piece.start, piece.tokens, piece.targets.length == 0
                        ? ChunkOutput.CACHE_ONLY : new ChunkOutput.TargetLogProbs(piece.targets)));
                tokens += piece.tokens.length;
            }
            List<ChunkResult> results = backend.forward(chunks);
            for (int i = 0; i < pieces.size(); i++) {
                done += accumulate(totals[pieces.get(i).input], pieces.get(i), results.get(i));
            }
            stats.forwardPasses++;
            stats.computedTokens += tokens;
            computed += tokens;
            progress.advanced(done, totals.length, computed);
        }
        List<Loglikelihood> scores = new ArrayList<>(totals.length);
        for (Accumulator total : totals) {
            scores.add(new Loglikelihood(total.logLikelihood, total.greedy));
        }
        return scores;
    }

    /**
     * The next piece of every busy slot while the batch stays within the token budget (always at least one). The
     * slot that goes first rotates, so that under a tight budget no slot waits forever.
     */
    private List<Piece> nextBatch(List<Deque<Piece>> slots, int firstSlot) {
        List<Piece> batch = new ArrayList<>();
        int tokens = 0;
        for (int k = 0; k < slots.size(); k++) {
            Deque<Piece> slot = slots.get((firstSlot + k) % slots.size());
            Piece piece = slot.peek();
            if (piece != null && (batch.isEmpty() || tokens + piece.tokens.length <= maxBatchTokens)) {
                batch.add(slot.poll());
                tokens += piece.tokens.length;
            }
        }
        return batch;
    }

    /** Adds a piece's scored targets to its input's totals; returns 1 when that finished the input. */
    private static int accumulate(Accumulator total, Piece piece, ChunkResult result) {
        for (int t = 0; t < piece.targets.length; t++) {
            total.logLikelihood += result.targetLogProbs()[t];
            total.greedy &= result.targetIsArgmax()[t];
        }
        return --total.piecesLeft == 0 ? 1 : 0;
    }

    /** Queues a group's chunks in a free slot: the first member from position 0, the others after the prefix. */
    private void load(PrefixGroup group, ScoringPlan plan, int slotIndex, Deque<Piece> slot,
                      Accumulator[] totals) {
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
                slot.add(new Piece(index, slotIndex, start, Arrays.copyOfRange(input.tokens, start, end), targets));
                total.piecesLeft++;
                start = end;
            }
        }
    }
}
