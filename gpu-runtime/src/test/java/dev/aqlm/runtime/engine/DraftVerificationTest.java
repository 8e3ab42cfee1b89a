package dev.aqlm.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The tokens a verification pass emits, from the tokens sampled at each position of [last token, draft...]. */
class DraftVerificationTest {
    @Test
    void acceptedDraftEndsWithTheBonusToken() {
        assertArrayEquals(new int[] {4, 5, 6, 9}, DraftVerification.emitted(new int[] {4, 5, 6, 9}, new int[] {4, 5, 6}));
    }

    @Test
    void firstMismatchIsEmittedInsteadOfTheDraftAndEndsThePass() {
        assertArrayEquals(new int[] {4, 7}, DraftVerification.emitted(new int[] {4, 7, 6, 9}, new int[] {4, 5, 6}),
                "what follows a rejected draft token was sampled after the wrong prefix and is dropped");
        assertArrayEquals(new int[] {3}, DraftVerification.emitted(new int[] {3, 5}, new int[] {4}));
    }

    @Test
    void sampledTokensMustCoverEveryDraftPositionAndTheBonus() {
        assertThrows(IllegalArgumentException.class, () -> DraftVerification.emitted(new int[] {4, 5}, new int[] {4, 5}));
    }
}
