package dev.aqlm.runtime.engine;

import java.util.Arrays;

/**
 * Prompt-lookup drafting as Hugging Face's {@code PromptLookupCandidateGenerator} does it: for n from the largest
 * n-gram size down to 1, find the earliest earlier occurrence of the sequence's last n tokens and propose the tokens
 * that followed it. Input-grounded work (summaries, extraction, edits) repeats spans of its prompt, so these drafts are
 * often right and cost no model pass to make.
 */
final class PromptLookupDrafts {
    private PromptLookupDrafts() {
    }

    /** Up to {@code maxTokens} drafted tokens for {@code tokens[0, length)}; empty when nothing matches. */
    static int[] propose(int[] tokens, int length, int maxNgram, int maxTokens) {
        if (maxTokens <= 0) {
            return new int[0];
        }
        for (int n = Math.min(maxNgram, length - 1); n >= 1; n--) {
            int suffix = length - n;
            // Starts before the suffix itself; a match whose continuation is empty cannot occur (start + n < length).
            for (int start = 0; start < suffix; start++) {
                if (Arrays.equals(tokens, start, start + n, tokens, suffix, length)) {
                    int from = start + n;
                    return Arrays.copyOfRange(tokens, from, Math.min(length, from + maxTokens));
                }
            }
        }
        return new int[0];
    }
}
