package dev.aqlm.runtime.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Drafts with an assistant model for every speculating sequence of a step at once: one batched assistant pass catches
 * each sequence up to its last token and drafts its first token, then one batched pass per further draft token. The
 * assistant keeps a KV slot per main-model slot; each sequence remembers how much of it is valid
 * ({@link ActiveSequence#assistantCatchUp}), so a rejected draft rolls back by position, as in the main cache.
 */
final class AssistantDrafter {
    private final Backend assistant;

    AssistantDrafter(Backend assistant) {
        this.assistant = assistant;
    }

    /** Greedy drafts of {@code budgets[i]} tokens for {@code sequences[i]} in slot {@code slots[i]}. */
    int[][] draft(List<ActiveSequence> sequences, List<Integer> slots, int[] budgets) {
        int[][] drafts = new int[sequences.size()][];
        int longest = 0;
        for (int i = 0; i < drafts.length; i++) {
            drafts[i] = new int[budgets[i]];
            longest = Math.max(longest, budgets[i]);
        }
        for (int round = 0; round < longest; round++) {
            List<SequenceChunk> chunks = new ArrayList<>();
            List<Integer> owners = new ArrayList<>();
            for (int i = 0; i < drafts.length; i++) {
                if (budgets[i] > round) {
                    ActiveSequence sequence = sequences.get(i);
                    chunks.add(round == 0 ? sequence.assistantCatchUp(slots.get(i))
                            : sequence.assistantFeed(slots.get(i), drafts[i][round - 1], round - 1));
                    owners.add(i);
                }
            }
            List<ChunkResult> results = assistant.forward(chunks);
            for (int c = 0; c < chunks.size(); c++) {
                drafts[owners.get(c)][round] = results.get(c).nextToken();
            }
        }
        return drafts;
    }
}
