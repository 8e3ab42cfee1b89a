package dev.aqlm.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Prompt-lookup drafts as Hugging Face's PromptLookupCandidateGenerator picks them. */
class PromptLookupDraftsTest {

    @Test
    void theEarliestMatchOfTheLongestNgramGivesTheTokensThatFollowedIt() {
        int[] tokens = {5, 6, 7, 1, 9, 6, 7, 2, 3, 6, 7};
        // The 2-gram (6, 7) occurs at 1 and 5: the earliest wins, drafting what followed it.
        assertArrayEquals(new int[] {1, 9, 6}, PromptLookupDrafts.propose(tokens, tokens.length, 2, 3));
    }

    @Test
    void aShorterNgramIsTriedWhenTheLongerHasNoEarlierMatch() {
        int[] tokens = {4, 8, 1, 2, 3, 9, 8};
        // (9, 8) never occurred before; the 1-gram 8 did, at 1.
        assertArrayEquals(new int[] {1, 2}, PromptLookupDrafts.propose(tokens, tokens.length, 2, 2));
    }

    @Test
    void theDraftStopsAtTheSequenceEndAndIsEmptyWithoutAMatch() {
        int[] tokens = {3, 4, 3, 0, 0};
        assertArrayEquals(new int[] {4, 3}, PromptLookupDrafts.propose(tokens, 3, 1, 5), "only tokens[0, 3) count");
        assertArrayEquals(new int[0], PromptLookupDrafts.propose(new int[] {1, 2, 3}, 3, 2, 4));
        assertArrayEquals(new int[0], PromptLookupDrafts.propose(new int[] {1, 1}, 2, 2, 0), "no budget, no draft");
    }
}
