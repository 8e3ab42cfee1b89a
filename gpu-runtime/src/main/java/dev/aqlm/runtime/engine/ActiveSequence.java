package dev.aqlm.runtime.engine;

import dev.aqlm.runtime.tokenizer.StreamingDetokenizer;
import dev.aqlm.runtime.tokenizer.TextTokenizer;
import java.util.Arrays;

/**
 * A request's state inside the {@link Scheduler}: its tokens so far, how many of them are in its KV slot, and its
 * completion text with the part already streamed.
 */
final class ActiveSequence {
    private final GenerationRequest request;
    private final int truncatedPromptTokens;
    private final TextTokenizer tokenizer;
    private final StreamingDetokenizer detokenizer;
    private final StringBuilder text = new StringBuilder();
    private final int longestStop;
    private final long submittedAt = System.nanoTime();
    private long admittedAt;
    private int[] tokens;
    private int length;
    private int cached;
    private int streamed;
    private int assistantCached; // positions of this sequence in its slot of the assistant's KV cache
    private int drafted;
    private int accepted;
    private int forwardPasses;

    /** @param truncatedPromptTokens tokens {@link PromptTruncation} cut from the prompt before {@code request} */
    ActiveSequence(GenerationRequest request, int truncatedPromptTokens, TextTokenizer tokenizer) {
        this.request = request;
        this.truncatedPromptTokens = truncatedPromptTokens;
        this.tokenizer = tokenizer;
        this.detokenizer = tokenizer == null ? null : tokenizer.newStream();
        this.longestStop = request.stopStrings().stream().mapToInt(String::length).max().orElse(0);
        int prompt = request.promptTokens().length;
        this.tokens = Arrays.copyOf(request.promptTokens(), prompt + Math.min(request.maxNewTokens(), 256));
        this.length = prompt;
    }

    GenerationRequest request() {
        return request;
    }

    void admitted() {
        admittedAt = System.nanoTime();
    }

    /** Prompt fully cached: the next step feeds the last sampled token. */
    boolean isDecoding() {
        return cached >= request.promptTokens().length;
    }

    SequenceChunk decodeChunk(int slot) {
        return new SequenceChunk(slot, cached, new int[] {tokens[length - 1]}, new ChunkOutput.NextToken(request.sampling()));
    }

    /** The next piece of the prompt, at most {@code budget} tokens; the piece that ends the prompt samples a token. */
    SequenceChunk prefillChunk(int slot, int budget) {
        int prompt = request.promptTokens().length;
        int end = Math.min(prompt, cached + budget);
        ChunkOutput output = end == prompt ? new ChunkOutput.NextToken(request.sampling()) : ChunkOutput.CACHE_ONLY;
        return new SequenceChunk(slot, cached, Arrays.copyOfRange(tokens, cached, end), output);
    }

    void cached(int positions) {
        cached = positions;
    }

    /** Draft tokens worth verifying now: none past max_new_tokens (the pass adds one of its own) or the context. */
    int draftBudget(int contextLength) {
        int generated = length - request.promptTokens().length;
        int room = Math.min(request.maxNewTokens() - generated - 1, contextLength - length);
        return Math.max(0, Math.min(request.speculation().draftTokens(), room));
    }

    /** A prompt-lookup draft from the sequence's own tokens, prompt and completion alike. */
    int[] promptLookupDraft(int budget) {
        Speculation.PromptLookup lookup = (Speculation.PromptLookup) request.speculation();
        return PromptLookupDrafts.propose(tokens, length, lookup.ngram(), budget);
    }

    /** The model's pass over [last token, draft...], sampling at each position to verify the draft against. */
    SequenceChunk verificationChunk(int slot, int[] draft) {
        int[] chunk = new int[draft.length + 1];
        chunk[0] = tokens[length - 1];
        System.arraycopy(draft, 0, chunk, 1, draft.length);
        return new SequenceChunk(slot, cached, chunk, new ChunkOutput.TokensAtEveryPosition(request.sampling()));
    }

    /**
     * Appends what the verification pass emits ({@link DraftVerification}) and rolls the KV cache back to the accepted
     * tokens: the rejected drafts' positions are simply overwritten later. Returns the result if the sequence finished.
     */
    GenerationResult verified(SequenceChunk chunk, int[] sampled, int[] draft, int contextLength) {
        int[] emitted = DraftVerification.emitted(sampled, draft);
        int matched = emitted.length - 1;
        drafted += draft.length;
        accepted += matched;
        forwardPasses++;
        cached = chunk.startPosition() + 1 + matched; // the last token, then the accepted drafts
        for (int token : emitted) {
            GenerationResult result = accept(token, contextLength);
            if (result != null) {
                return result;
            }
        }
        assistantCached = Math.min(assistantCached, length - 1);
        return null;
    }

    /** Counts a plain pass that produced this sequence's next token. */
    void sampledInPass() {
        forwardPasses++;
    }

    /** The assistant's next drafting chunk: what it has not cached yet, up to and including the last token. */
    SequenceChunk assistantCatchUp(int slot) {
        SequenceChunk chunk = new SequenceChunk(slot, assistantCached,
                Arrays.copyOfRange(tokens, assistantCached, length), new ChunkOutput.NextToken(SamplingParams.GREEDY));
        assistantCached = length;
        return chunk;
    }

    /** The assistant's chunk that feeds back its own draft token number {@code index} (0-based). */
    SequenceChunk assistantFeed(int slot, int draftToken, int index) {
        SequenceChunk chunk = new SequenceChunk(slot, length + index, new int[] {draftToken},
                new ChunkOutput.NextToken(SamplingParams.GREEDY));
        assistantCached = length + index + 1;
        return chunk;
    }

    /** Appends a sampled token; returns the result if the sequence is now finished. */
    GenerationResult accept(int token, int contextLength) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[length++] = token;
        int generated = length - request.promptTokens().length;
        if (request.stopTokenIds().contains(token)) {
            return finish(FinishReason.EOS, -1);
        }
        String delta = detokenizer == null ? "" : detokenizer.add(token);
        text.append(delta);
        int stopAt = findStopString(delta.length());
        if (stopAt >= 0) {
            return finish(FinishReason.STOP_STRING, stopAt);
        }
        if (generated == request.maxNewTokens()) {
            return finish(FinishReason.LENGTH, -1);
        }
        if (length > contextLength) { // the new token has no position left to be written at
            return finish(FinishReason.CONTEXT_FULL, -1);
        }
        int safe = text.length() - Math.max(0, longestStop - 1); // a stop string may still be forming after this
        emit(token, safe);
        return null;
    }

    GenerationResult finishWithoutRunning() {
        admittedAt = System.nanoTime();
        return finish(FinishReason.LENGTH, -1);
    }

    private int findStopString(int deltaLength) {
        if (longestStop == 0 || deltaLength == 0) {
            return -1;
        }
        int from = Math.max(0, text.length() - deltaLength - longestStop + 1);
        int earliest = -1;
        for (String stop : request.stopStrings()) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        return earliest;
    }

    private GenerationResult finish(FinishReason reason, int stopAt) {
        int[] completionTokens = Arrays.copyOfRange(tokens, request.promptTokens().length, length);
        String completion;
        if (tokenizer == null) {
            completion = "";
        } else if (stopAt >= 0) {
            completion = text.substring(0, stopAt);
        } else {
            completion = tokenizer.decode(completionTokens);
        }
        int last = completionTokens.length == 0 ? -1 : completionTokens[completionTokens.length - 1];
        if (request.listener() != null && completion.length() >= streamed) {
            request.listener().onToken(request.id(), last, completion.substring(streamed));
        }
        long now = System.nanoTime();
        return new GenerationResult(request.id(), request.promptTokens(), truncatedPromptTokens, completionTokens,
                completion, reason, admittedAt - submittedAt, now - admittedAt, null,
                new SpeculationCounts(drafted, accepted, forwardPasses));
    }

    private void emit(int token, int upTo) {
        if (request.listener() == null) {
            return;
        }
        String delta = upTo > streamed ? text.substring(streamed, upTo) : "";
        streamed = Math.max(streamed, upTo);
        request.listener().onToken(request.id(), token, delta);
    }
}
