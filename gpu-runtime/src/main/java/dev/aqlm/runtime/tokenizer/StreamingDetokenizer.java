package dev.aqlm.runtime.tokenizer;

import java.util.Arrays;

/**
 * Turns a growing sequence of token ids into text deltas. Decoding token by token is wrong for SentencePiece (a
 * token's leading space depends on its neighbour) and for byte-level tokens (one character may span several tokens),
 * so each delta is the difference between decoding a short window with and without the new tokens, and is withheld
 * while it ends in an incomplete UTF-8 sequence (decoded as U+FFFD).
 */
public final class StreamingDetokenizer {
    private static final char REPLACEMENT = '\uFFFD';

    private final TextTokenizer tokenizer;
    private int[] tokens = new int[16];
    private int length;
    private int prefixStart;
    private int readStart;

    StreamingDetokenizer(TextTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one token; returns the text it completes, possibly empty. */
    public String add(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, length * 2);
        }
        tokens[length++] = token;
        String before = tokenizer.decode(tokens, prefixStart, readStart);
        String after = tokenizer.decode(tokens, prefixStart, length);
        if (after.length() <= before.length() || after.charAt(after.length() - 1) == REPLACEMENT
                || !after.startsWith(before)) {
            return "";
        }
        prefixStart = readStart;
        readStart = length;
        return after.substring(before.length());
    }

    /** Whatever is still withheld at the end of the sequence (an incomplete character is emitted as U+FFFD). */
    public String flush() {
        String before = tokenizer.decode(tokens, prefixStart, readStart);
        String after = tokenizer.decode(tokens, prefixStart, length);
        prefixStart = readStart = length;
        return after.length() > before.length() && after.startsWith(before) ? after.substring(before.length()) : "";
    }
}
