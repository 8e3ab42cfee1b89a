package dev.aqlm.runtime.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aqlm.runtime.engine.InvalidRequestException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ScoringInputTest {
    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    @Test
    void untruncatedInputIsContextAndContinuationWithoutItsLastToken() {
        ScoringInput input = ScoringInput.of(new TokenizedRequest(range(0, 5), range(5, 8)), 48);
        assertArrayEquals(range(0, 7), input.tokens);
        assertArrayEquals(range(5, 8), input.targets);
        assertEquals(4, input.scoredFrom(), "the last context token's logits predict the first continuation token");
    }

    @Test
    void longInputIsTruncatedFromTheLeftToMaxLengthPlusOneThenLosesItsLastToken() {
        // 13 tokens, max length 8: keep tokens 4..12, drop token 12.
        ScoringInput input = ScoringInput.of(new TokenizedRequest(range(0, 10), range(10, 13)), 8);
        assertArrayEquals(range(4, 12), input.tokens);
        assertArrayEquals(range(10, 13), input.targets);
        assertEquals(5, input.scoredFrom());
    }

    @Test
    void continuationFillingMaxLengthKeepsOnlyTheContextTokenBeforeIt() {
        ScoringInput input = ScoringInput.of(new TokenizedRequest(range(0, 10), range(10, 14)), 4);
        assertArrayEquals(range(9, 13), input.tokens);
        assertEquals(0, input.scoredFrom());
    }

    @Test
    void continuationLongerThanMaxLengthIsRejected() {
        InvalidRequestException error = assertThrows(InvalidRequestException.class,
                () -> ScoringInput.of(new TokenizedRequest(range(0, 2), range(2, 8)), 5));
        assertTrue(error.getMessage().contains("longer than max length 5"), error.getMessage());
    }

    @Test
    void requestWithoutContextIsRejected() {
        assertThrows(InvalidRequestException.class,
                () -> ScoringInput.of(new TokenizedRequest(new int[0], range(2, 4)), 5));
    }

    @Test
    void identicalRequestsAreEqualInputs() {
        ScoringInput a = ScoringInput.of(new TokenizedRequest(range(0, 5), range(5, 8)), 48);
        ScoringInput b = ScoringInput.of(new TokenizedRequest(range(0, 6), range(6, 8)), 48);
        assertEquals(a.hashCode() == b.hashCode(), a.equals(b));
        assertTrue(!a.equals(b), "same tokens, different split: different targets, so a different input");
        assertEquals(a, ScoringInput.of(new TokenizedRequest(range(0, 5), range(5, 8)), 48));
    }
}
