package dev.aqlm.runtime.engine;

/**
 * A finished sequence. On error the token arrays are empty, {@code completion} is empty and {@code error} says why;
 * otherwise {@code error} is null.
 *
 * @param promptTokens          the prompt as the model saw it (after truncation, if any)
 * @param truncatedPromptTokens tokens cut from the prompt to fit the context window (0 unless truncation was asked)
 * @param completion            the completion's text (special tokens skipped, cut before a stop string); empty
 *                              without a tokenizer
 * @param latencyNanos          from admission into a slot to the last token
 * @param queuedNanos           from submission to admission
 * @param speculation           drafted and accepted tokens and forward passes (measured also without speculation)
 */
public record GenerationResult(String id, int[] promptTokens, int truncatedPromptTokens,
                               int[] completionTokens, String completion, FinishReason finishReason,
                               long queuedNanos, long latencyNanos, String error,
                               SpeculationCounts speculation) {

    public boolean failed() {
        return error != null;
    }

    public static GenerationResult failure(String id, int[] promptTokens, String error) {
        return new GenerationResult(id, promptTokens, 0, new int[0], "", FinishReason.ERROR, 0, 0, error,
                SpeculationCounts.NONE);
    }
}
