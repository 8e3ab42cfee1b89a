package dev.aqlm.runtime.engine;

/**
 * Which tokens a verification pass emits. The model ran over [last token, draft...] and the backend sampled a token
 * after every position ({@link ChunkOutput.TokensAtEveryPosition}): sampled[i] is drawn from the distribution p of
 * the token after draft[i - 1], exactly as plain decoding would draw it at that position (same sampler, uniform from
 * (seed, position)).
 *
 * <p>Every draft here is a point mass (prompt lookup copies tokens; the assistant drafts its argmax), so the standard
 * acceptance rule reads: accept draft x with probability min(1, p(x) / 1) = p(x); on rejection draw from the
 * normalized max(0, p - q), which is p with x removed. Accepting x iff the draw y == x, else emitting y, realises it:
 * P(accept) = p(x), and a rejected draw is p conditioned on y != x, the residual. So the output has the model's
 * distribution, and more: it is token for token what plain decoding with the same seed emits, whatever the draft or
 * the batch. Comparing tokens is all the rule needs, so the backend samples where the logits are (on the GPU, inside
 * the captured verification graph) and only tokens come back.
 */
final class DraftVerification {
    private DraftVerification() {
    }

    /**
     * The accepted draft prefix followed by one token of the model's own (the correction, or the bonus token after a
     * fully accepted draft).
     *
     * @param sampled the token sampled after each position of [last token, draft...] ({@code draft.length + 1})
     */
    static int[] emitted(int[] sampled, int[] draft) {
        if (sampled.length != draft.length + 1) {
            throw new IllegalArgumentException(sampled.length + " sampled tokens for a draft of " + draft.length);
        }
        int matched = 0;
        while (matched < draft.length && sampled[matched] == draft[matched]) {
            matched++;
        }
        return java.util.Arrays.copyOf(sampled, matched + 1);
    }
}
