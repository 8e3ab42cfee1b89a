package dev.aqlm.runtime.engine;

/**
 * The opt-in left truncation of a prompt that, with its max_new_tokens, overflows the context window. Rule: keep the
 * first token if it is BOS (the model was trained to see its start marker first), then the prompt's LAST tokens, as
 * many as leave room for max_new_tokens, since the completion continues the prompt's end. When max_new_tokens leaves
 * no room for (BOS plus) one prompt token, nothing meaningful is left to keep: that is an error saying what to lower.
 */
final class PromptTruncation {
    private PromptTruncation() {
    }

    /**
     * {@code request} itself when it did not ask for truncation or already fits, else a copy with the truncated prompt.
     *
     * @param bosTokenId the tokenizer's beginning-of-sequence id, or -1 when it has none
     * @throws InvalidRequestException when max_new_tokens alone (plus BOS) takes the whole context window
     */
    static GenerationRequest fit(GenerationRequest request, int contextLength, int bosTokenId) {
        int[] prompt = request.promptTokens();
        if (!request.truncatePrompt() || prompt.length == 0
                || (long) prompt.length + request.maxNewTokens() <= contextLength) {
            return request;
        }
        int head = bosTokenId >= 0 && prompt[0] == bosTokenId ? 1 : 0;
        int tail = contextLength - request.maxNewTokens() - head;
        if (tail < 1) {
            throw new InvalidRequestException("request " + request.id() + ": max_new_tokens of "
                    + request.maxNewTokens() + " leaves no room for the prompt in the context window of "
                    + contextLength + " tokens, even truncated; lower max_new_tokens to at most "
                    + (contextLength - head - 1) + " (or raise --context-length)");
        }
        int[] kept = new int[head + tail];
        System.arraycopy(prompt, 0, kept, 0, head);
        System.arraycopy(prompt, prompt.length - tail, kept, head, tail);
        return request.withPromptTokens(kept);
    }
}
