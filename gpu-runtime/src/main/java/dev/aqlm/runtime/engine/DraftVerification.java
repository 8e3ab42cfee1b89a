package dev.aqlm.runtime.engine;

/**
 * Which tokens a verification pass emits. The model ran over [last token, draft...] and returned logits at every
 * position; row i gives the distribution p of the token after draft[i - 1].
 *
 * <p>Every draft here is a point mass (prompt lookup copies tokens; the assistant drafts its argmax), so the standard
 * acceptance rule reads: accept draft x with probability min(1, p(x) / 1) = p(x); on rejection draw from the
 * normalized max(0, p - q), which is p with x removed. We realise it by drawing y from p exactly as plain decoding
 * would at that position ({@link TokenSampler#sample}, uniform from (seed, position)) and accepting x iff y == x,
 * else emitting y: P(accept) = p(x), and a rejected draw is p conditioned on y != x, the residual. So the output has
 * the model's distribution, and more: it is token for token what plain decoding with the same seed emits, whatever the
 * draft, the batch, or the backend's sampler being on the host.
 */
final class DraftVerification {
    private DraftVerification() {
    }

    /**
     * The accepted draft prefix followed by one token of the model's own (the correction, or the bonus token after a
     * fully accepted draft).
     *
     * @param firstPosition the position of the token drawn from {@code logits[0]}
     */
    static int[] emitted(float[][] logits, int[] draft, SamplingParams sampling, int firstPosition) {
        int[] out = new int[draft.length + 1];
        for (int i = 0; i <= draft.length; i++) {
            float[] row = logits[i];
            out[i] = TokenSampler.sample(row, 0, row.length, sampling, firstPosition + i);
            if (i == draft.length || out[i] != draft[i]) {
                return java.util.Arrays.copyOf(out, i + 1);
            }
        }
        return out;
    }
}
