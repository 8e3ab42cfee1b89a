package dev.aqlm.runtime.engine;

import java.util.List;
import java.util.Set;

/**
 * One sequence to generate: a tokenized prompt and how to continue it.
 *
 * @param stopTokenIds   token ids that end the sequence (the model's EOS ids, unless the caller wants otherwise)
 * @param stopStrings    texts that end the sequence when they appear in the completion (needs a tokenizer)
 * @param listener       streaming callback, or null
 * @param truncatePrompt cut a prompt that overflows the context window instead of failing ({@link PromptTruncation})
 * @param speculation    drafting to emit several tokens per pass; never changes the tokens ({@link DraftVerification})
 */
public record GenerationRequest(String id, int[] promptTokens, SamplingParams sampling, int maxNewTokens,
                                Set<Integer> stopTokenIds, List<String> stopStrings, TokenListener listener,
                                boolean truncatePrompt, Speculation speculation) {
    public GenerationRequest {
        if (speculation == null) {
            throw new InvalidRequestException("request " + id + ": speculation must be set (Speculation.NONE for none)");
        }
        stopTokenIds = Set.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        if (maxNewTokens < 0) {
            throw new InvalidRequestException("request " + id + ": max_new_tokens must be >= 0, got " + maxNewTokens);
        }
        for (String stop : stopStrings) {
            if (stop.isEmpty()) {
                throw new InvalidRequestException("request " + id + ": a stop string must not be empty");
            }
        }
    }

    /** A request that decodes one token per pass. */
    public GenerationRequest(String id, int[] promptTokens, SamplingParams sampling, int maxNewTokens,
                             Set<Integer> stopTokenIds, List<String> stopStrings, TokenListener listener,
                             boolean truncatePrompt) {
        this(id, promptTokens, sampling, maxNewTokens, stopTokenIds, stopStrings, listener, truncatePrompt,
                Speculation.NONE);
    }

    public static GenerationRequest greedy(String id, int[] promptTokens, int maxNewTokens, Set<Integer> stopTokenIds) {
        return new GenerationRequest(id, promptTokens, SamplingParams.GREEDY, maxNewTokens, stopTokenIds, List.of(),
                null, false);
    }

    public GenerationRequest withPromptTruncation(boolean value) {
        return new GenerationRequest(id, promptTokens, sampling, maxNewTokens, stopTokenIds, stopStrings, listener,
                value, speculation);
    }

    GenerationRequest withPromptTokens(int[] value) {
        return new GenerationRequest(id, value, sampling, maxNewTokens, stopTokenIds, stopStrings, listener,
                truncatePrompt, speculation);
    }

    public GenerationRequest withSpeculation(Speculation value) {
        return new GenerationRequest(id, promptTokens, sampling, maxNewTokens, stopTokenIds, stopStrings, listener,
                truncatePrompt, value);
    }
}
