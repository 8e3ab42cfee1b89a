package dev.aqlm.runtime.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * lm-eval's rolling windows for {@code loglikelihood_rolling} (context length 1, made disjoint): every token is
 * predicted exactly once. The first window predicts the first {@code maxLength} tokens after the prefix token; each
 * later window predicts the next {@code maxLength} (the last one fewer) and conditions on the tokens before them, so
 * that its input is a full {@code maxLength} tokens. No later window starts with BOS.
 */
public final class RollingWindows {
    private RollingWindows() {
    }

    public static List<TokenizedRequest> of(int[] tokens, int prefixToken, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("max length must be at least 1, got " + maxLength);
        }
        List<TokenizedRequest> windows = new ArrayList<>();
        if (tokens.length == 0) {
            return windows;
        }
        int first = Math.min(maxLength, tokens.length);
        windows.add(new TokenizedRequest(new int[] {prefixToken}, Arrays.copyOf(tokens, first)));
        int predicted = first;
        while (predicted < tokens.length) {
            int length = Math.min(tokens.length - predicted, maxLength);
            int end = predicted + length;
            // The model input is tokens[end - maxLength - 1, end - 1); the context is the part not predicted.
            int inputStart = end - maxLength - 1;
            int contextEnd = end - 1 - (length - 1);
            windows.add(new TokenizedRequest(Arrays.copyOfRange(tokens, inputStart, contextEnd),
                    Arrays.copyOfRange(tokens, predicted, end)));
            predicted = end;
        }
        return windows;
    }
}
