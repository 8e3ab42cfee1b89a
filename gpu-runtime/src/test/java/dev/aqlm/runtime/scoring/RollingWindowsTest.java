package dev.aqlm.runtime.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RollingWindowsTest {
    private static final int PREFIX = 99;

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    @Test
    void shortTextIsOneWindowAfterThePrefixToken() {
        List<TokenizedRequest> windows = RollingWindows.of(range(0, 3), PREFIX, 4);
        assertEquals(1, windows.size());
        assertArrayEquals(new int[] {PREFIX}, windows.get(0).context());
        assertArrayEquals(range(0, 3), windows.get(0).continuation());
    }

    @Test
    void fullWindowsDoNotOverlapAndTheLastIsLeftExtendedToAFullInput() {
        // 10 tokens, max length 4: predict [0,4) after the prefix, [4,8) after token 3, [8,10) after tokens 3..7.
        List<TokenizedRequest> windows = RollingWindows.of(range(0, 10), PREFIX, 4);
        assertEquals(3, windows.size());
        assertArrayEquals(new int[] {PREFIX}, windows.get(0).context());
        assertArrayEquals(range(0, 4), windows.get(0).continuation());
        assertArrayEquals(new int[] {3}, windows.get(1).context());
        assertArrayEquals(range(4, 8), windows.get(1).continuation());
        assertArrayEquals(range(5, 8), windows.get(2).context());
        assertArrayEquals(range(8, 10), windows.get(2).continuation());
    }

    @Test
    void everyTokenIsPredictedOnceAndEveryInputFitsMaxLength() {
        for (int length = 1; length <= 40; length++) {
            for (int maxLength = 1; maxLength <= 9; maxLength++) {
                List<TokenizedRequest> windows = RollingWindows.of(range(0, length), PREFIX, maxLength);
                int next = 0;
                for (TokenizedRequest window : windows) {
                    for (int token : window.continuation()) {
                        assertEquals(next++, token);
                    }
                    // The model input is context + continuation minus its last token.
                    assertTrue(window.length() - 1 <= maxLength);
                    if (window != windows.get(0)) {
                        assertEquals(maxLength, window.length() - 1, "later windows see a full input");
                        assertEquals(window.continuation()[0] - 1, window.context()[window.context().length - 1]);
                    }
                }
                assertEquals(length, next);
            }
        }
    }

    @Test
    void emptyTextHasNoWindows() {
        assertTrue(RollingWindows.of(new int[0], PREFIX, 4).isEmpty());
    }
}
